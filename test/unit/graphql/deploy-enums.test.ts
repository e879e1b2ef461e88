/**
 * Resource types and per-instance deployment statuses are GraphQL enums (issue 11, item 6).
 */
import { describe, expect, it } from 'vitest';
import { model } from '../../../src/graphql/model';
import { buildSchema } from '../../../src/graphql/server';

const schema = buildSchema();
const m = model();
const arg = (root: 'Query' | 'Mutation', field: string, name: string) => {
  const type = root === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
  return String(type.getFields()[field].args.find((a) => a.name === name)!.type);
};

describe('deployment enums', () => {
  it('every per-instance deployment status maps each documented code 0-6 to its DeploymentStatus name', () => {
    const expected = [
      ['0', 'PENDING'],
      ['1', 'SUCCEEDED'],
      ['2', 'FAILED'],
      ['3', 'DEPLOYING'],
      ['4', 'ROLLED_BACK'],
      ['5', 'ROLLBACK_FAILED'],
      ['6', 'NO_RESOURCE'],
    ];
    for (const type of ['DeployRecordDetail', 'DeployRecordItem', 'UpdateRecordDetail']) {
      const status = m.fieldIndex.get(type)!.get('status')!;
      expect(status.enumType, type).toBe('DeploymentStatus');
      expect([...status.toEnum!.entries()], type).toEqual(expected);
      expect(m.fieldIndex.get(type)!.get('statusCode')!.type, type).toBe('Int!');
    }
  });

  it('every resourceType argument is an enum of the documented resource types', () => {
    expect(arg('Mutation', 'deployCertificate', 'resourceType')).toBe('ResourceType');
    expect(arg('Mutation', 'updateCertificateInstances', 'resourceTypes')).toBe('[ResourceType!]!');
    expect(arg('Mutation', 'uploadUpdateCertificateInstances', 'resourceTypes')).toBe('[ResourceType!]!');
    expect(arg('Query', 'deployRecords', 'resourceType')).toBe('ResourceType');
    expect(arg('Query', 'bindResourceTaskDetail', 'resourceTypes')).toBe('[ResourceType!]');
    expect(arg('Query', 'hostCosInstances', 'resourceType')).toBe('ResourceType');
    expect(arg('Query', 'hostDdosInstances', 'resourceType')).toBe('ResourceType');
    expect(arg('Query', 'deployedResources', 'resourceType')).toBe('DeployedResourceType!');
    const certificates = schema.getType('Certificates') as unknown as { getFields(): Record<string, { args: { name: string; type: unknown }[] }> };
    expect(String(certificates.getFields().deployedResources.args[0].type)).toBe('DeployedResourceType!');
    const names = (schema.getType('ResourceType') as unknown as { getValues(): { name: string }[] }).getValues().map((v) => v.name);
    expect(names).toEqual(['CLB', 'CDN', 'DDOS', 'LIVE', 'VOD', 'WAF', 'API_GATEWAY', 'TEO', 'TKE', 'COS', 'LIGHTHOUSE', 'TSE', 'TCB']);
    // The wire values are the documented lower-case names.
    const deploy = m.actions.get('DeployCertificateInstance')!.args.find((a) => a.name === 'resourceType')!;
    expect(deploy.fromEnum!.get('API_GATEWAY')).toBe('apigateway');
  });
});
