/**
 * Which documented members are times (src/spec/times.ts), where the documentation is not explicit,
 * and how the ISO surfaces describe them.
 */
import { buildASTSchema, getNamedType, isObjectType, isInputObjectType, parse, type GraphQLField, type GraphQLInputField } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../../schema/generated/typeDefs';
import { getAction, getStructure } from '../../../src/spec';
import { isDateTimeMember, isoDescription } from '../../../src/spec/times';

const member = (owner: { members?: readonly { name: string }[]; outputs?: readonly { name: string }[]; inputs?: readonly { name: string }[] } | undefined, name: string) => {
  const all = [...(owner?.members ?? []), ...(owner?.outputs ?? []), ...(owner?.inputs ?? [])];
  const m = all.find((x) => x.name === name);
  if (!m) throw new Error(`no documented member ${name}`);
  return m as Parameters<typeof isDateTimeMember>[0];
};

describe('time members', () => {
  it('a …Time member the documentation gives no example for is a time (DeployRecord.CreateTime, a creation time)', () => {
    const m = member(getStructure('DeployRecord'), 'CreateTime');
    expect(m.example).toBeUndefined();
    expect(isDateTimeMember(m)).toBe(true);
  });

  it('where there is an example it decides: "10", "12:00:00" and "asc" are not date-times', () => {
    expect(isDateTimeMember(member(getAction('DescribeHostClbInstanceList'), 'AsyncCacheTime'))).toBe(false);
    expect(isDateTimeMember(member(getStructure('HostingConfig'), 'ReplaceStartTime'))).toBe(false);
    expect(isDateTimeMember(member(getAction('DescribePackages'), 'ExpireTime'))).toBe(false);
    expect(isDateTimeMember(member(getStructure('DeployRecordInfo'), 'CreateTime'))).toBe(true);
  });

  it('no DateTime field or argument of the GraphQL schema describes itself in the upstream\'s format', () => {
    const schema = buildASTSchema(parse(typeDefs.join('\n')), { assumeValidSDL: true });
    const misleading: string[] = [];
    let dateTimes = 0;
    const check = (where: string, f: GraphQLField<unknown, unknown> | GraphQLInputField) => {
      if (getNamedType(f.type).name !== 'DateTime') return;
      dateTimes++;
      if (/YYYY-MM-DD hh:mm:ss/.test(f.description ?? '')) misleading.push(where);
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (isObjectType(type)) {
        for (const f of Object.values(type.getFields())) {
          check(`${type.name}.${f.name}`, f);
          for (const a of f.args) check(`${type.name}.${f.name}(${a.name})`, a as unknown as GraphQLInputField);
        }
      } else if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) check(`${type.name}.${f.name}`, f);
    }
    expect(dateTimes).toBeGreaterThan(50);
    expect(misleading).toEqual([]);
  });

  it('the ISO description drops the upstream\'s format and rewrites example times', () => {
    expect(isoDescription('When the record was created, "YYYY-MM-DD hh:mm:ss".')).toBe('When the record was created.');
    expect(isoDescription('Expires at 2018-09-18 20:00:00.')).toBe('Expires at 2018-09-18T20:00:00+08:00.');
  });
});
