/**
 * Coverage of the GraphQL schema against the spec: every documented action has a field, every
 * documented structure a type with every documented member, and the generated SDL is fresh.
 */
import { readFileSync } from 'node:fs';
import { isEnumType, isListType, isNonNullType, isObjectType, type GraphQLField, type GraphQLOutputType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { generate } from '../../../scripts/generate-schema';
import { outputNullable, spec } from '../../../src/spec';
import { fieldName } from '../../../src/spec/naming';
import { OPERATIONS } from '../../../src/graphql/operations';
import { buildSchema } from '../../../src/graphql/server';
import { model } from '../../../src/graphql/model';

const schema = buildSchema();

function named(t: GraphQLOutputType): GraphQLOutputType {
  let cur = t;
  while (isNonNullType(cur) || isListType(cur)) cur = cur.ofType as GraphQLOutputType;
  return cur;
}

describe('GraphQL schema coverage', () => {
  it('maps each of the 68 actions to exactly one root field of the right kind', () => {
    expect(OPERATIONS).toHaveLength(68);
    expect(new Set(OPERATIONS.map((o) => o.action))).toEqual(new Set(Object.keys(spec.actions)));
    const query = schema.getQueryType()!.getFields();
    const mutation = schema.getMutationType()!.getFields();
    for (const op of OPERATIONS) {
      const a = spec.actions[op.action];
      expect(op.root, op.action).toBe(a.kind === 'read' ? 'Query' : 'Mutation');
      const field: GraphQLField<unknown, unknown> | undefined = (op.root === 'Query' ? query : mutation)[op.field];
      expect(field, `${op.root}.${op.field}`).toBeDefined();
      expect(Boolean(field!.deprecationReason), `${op.field} deprecation`).toBe(Boolean(a.deprecated));
      if (a.deprecated?.replacement) expect(field!.deprecationReason).toContain('createCertificateBindResourceTask');
    }
  });

  it('gives documented-input fields one argument per documented input', () => {
    const roots = { Query: schema.getQueryType()!.getFields(), Mutation: schema.getMutationType()!.getFields() };
    for (const op of OPERATIONS.filter((o) => !o.args)) {
      const args = new Set(roots[op.root][op.field].args.map((a) => a.name));
      for (const m of spec.actions[op.action].inputs) expect(args.has(fieldName(m.name)), `${op.field}(${fieldName(m.name)})`).toBe(true);
    }
  });

  it('has a type for each of the 79 structures with every documented member', () => {
    for (const s of Object.values(spec.structures)) {
      const type = schema.getType(s.name);
      expect(type && isObjectType(type), s.name).toBe(true);
      if (!type || !isObjectType(type)) continue;
      const fields = type.getFields();
      for (const m of s.members) {
        const f = fields[fieldName(m.name)];
        expect(f, `${s.name}.${fieldName(m.name)}`).toBeDefined();
        // Documented "may return null" (or answered null) → nullable; the rest follow the document (enums are
        // nullable by design: an undocumented code has no enum value, the raw code field keeps it).
        // Output date-times are nullable too: the upstream answers "" for a time it does not have yet.
        // Members whose documented examples or simulated answers are null are decided in src/spec/answers.ts.
        if (outputNullable(s.name, m)) expect(isNonNullType(f.type), `${s.name}.${f.name} nullable`).toBe(false);
        else if (String(named(f.type)) === 'DateTime') expect(isNonNullType(f.type), `${s.name}.${f.name} nullable date-time`).toBe(false);
        else if (!isEnumType(named(f.type))) expect(isNonNullType(f.type), `${s.name}.${f.name} non-null`).toBe(true);
      }
    }
  });

  it('has a response type per action with every documented output and the request id', () => {
    for (const a of Object.values(spec.actions)) {
      const type = schema.getType(`${a.name}Response`);
      expect(type && isObjectType(type), a.name).toBe(true);
      if (!type || !isObjectType(type)) continue;
      for (const m of a.outputs) expect(type.getFields()[fieldName(m.name)], `${a.name}.${m.name}`).toBeDefined();
      expect(type.getFields().requestId).toBeDefined();
    }
  });

  it('uses honest types: ids are ID, Limit/Offset Int, date-times DateTime, status codes enums with raw codes', () => {
    const certs = (schema.getType('Certificates') as import('graphql').GraphQLObjectType).getFields();
    expect(String(certs.certificateId.type)).toBe('ID!');
    expect(String(certs.status.type)).toBe('CertificateStatus');
    expect(String(certs.statusCode.type)).toBe('Int!');
    expect(String(certs.certBeginTime.type)).toMatch(/^DateTime/);
    const q = schema.getQueryType()!.getFields();
    // Upstream types Limit as String here; the schema says Int like everywhere else.
    expect(String(q.bindResourceTaskDetail.args.find((x) => x.name === 'limit')!.type)).toBe('Int');
    expect(spec.actions.DescribeCertificateBindResourceTaskDetail.inputs.find((m) => m.name === 'Limit')!.type).toBe('String');
    // DeployRecordId is Integer in some actions and String in others: always ID here.
    expect(String(q.deployRecordDetails.args.find((x) => x.name === 'deployRecordId')!.type)).toBe('ID!');
    expect(String(q.uploadUpdateRecordDetails.args.find((x) => x.name === 'deployRecordId')!.type)).toBe('ID!');
    const statusEnum = schema.getType('CertificateStatus');
    expect(isEnumType(statusEnum) && statusEnum.getValues()).toHaveLength(16);
  });

  it('describes every type and field in English', () => {
    const cjk = /[\u3000-\u9fff\uff00-\uffef]/;
    for (const obj of model().objects.values()) {
      expect(obj.description, obj.name).not.toBe('');
      for (const f of obj.fields) {
        expect(f.description, `${obj.name}.${f.name}`).not.toBe('');
        expect(cjk.test(f.description), `${obj.name}.${f.name}`).toBe(false);
      }
    }
  });

  it('committed generated SDL is fresh', () => {
    const { sdl, typeDefs } = generate();
    expect(readFileSync('schema/generated/api.graphql', 'utf8')).toBe(sdl);
    expect(readFileSync('schema/generated/typeDefs.ts', 'utf8')).toBe(typeDefs);
  });
});
