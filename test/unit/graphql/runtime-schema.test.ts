/**
 * The schema the runtime loads (types built from the build-time compact document, `assumeValid`,
 * resolvers and scope guards attached in one walk) is the schema the SDL files define: same
 * introspection, same printed SDL, and the committed document is regenerated from the current SDL.
 */
import { readFileSync } from 'node:fs';
import { graphql, introspectionFromSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, parse, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { renderSchemaDocumentModule, SCHEMA_DOCUMENT_PATH, sdlSchema } from '../../../scripts/generate-runtime';
import { attachResolvers, loadSchema } from '../../../src/graphql/executable';
import { buildSchemaFromCompact } from '../../../src/graphql/compact-schema';
import { encodeSchemaDocument } from '../../../src/graphql/schema-document';
import { buildGuardedSchema, buildSchema, createSchema } from '../../../src/graphql/server';

describe('runtime schema from the build-time document', () => {
  it('the committed schema document is generated from the current SDL (run npm run runtime:generate)', () => {
    expect(readFileSync(SCHEMA_DOCUMENT_PATH, 'utf8')).toBe(renderSchemaDocumentModule());
  });

  it('answers introspection exactly like the SDL built with makeExecutableSchema, descriptions and order included', () => {
    const expected = introspectionFromSchema(sdlSchema(), { descriptions: true, inputValueDeprecation: true, specifiedByUrl: true });
    for (const schema of [loadSchema(), buildSchema(), buildGuardedSchema()]) {
      expect(introspectionFromSchema(schema, { descriptions: true, inputValueDeprecation: true, specifiedByUrl: true })).toEqual(expected);
      expect(printSchema(schema)).toBe(printSchema(sdlSchema()));
    }
  });

  it('builds the types straight from the compact form: no type, field, argument or enum value keeps a document node', () => {
    const schema = loadSchema();
    const held: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (type.astNode) held.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.astNode) held.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) if (arg.astNode) held.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (v.astNode) held.push(`${type.name}.${v.name}`);
    }
    expect(held).toEqual([]);
    // Default values come through without the document (introspection above compares them all).
    const defaults = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
      .flatMap((t) => Object.values((t as { getFields(): Record<string, { args: readonly { defaultValue?: unknown }[] }> }).getFields()))
      .flatMap((f) => f.args.filter((a) => a.defaultValue !== undefined));
    expect(defaults.length).toBeGreaterThan(0);
  });

  it('round-trips every definition of the printed SDL through the compact form', () => {
    const doc = parse(printSchema(sdlSchema()), { noLocation: true });
    expect(printSchema(sdlSchema())).toContain('@deprecated');
    // Through the start-up path: the compact form, as JSON, built into the schema and printed.
    const again = parse(printSchema(buildSchemaFromCompact(JSON.parse(JSON.stringify(encodeSchemaDocument(doc))))), { noLocation: true });
    expect(encodeSchemaDocument(again)).toEqual(encodeSchemaDocument(doc));
  });

  it('refuses a definition the compact form cannot carry instead of dropping it', () => {
    expect(() => encodeSchemaDocument(parse('directive @cached on FIELD_DEFINITION'))).toThrow(/no compact form/);
    expect(() => encodeSchemaDocument(parse('type Q { a: Int @cached }'))).toThrow(/@cached has no compact form/);
  });

  it('refuses resolvers for types or fields the schema lacks, as makeExecutableSchema does', () => {
    expect(() => attachResolvers(loadSchema(), { Query: { noSuchField: () => 1 } })).toThrow(/Query\.noSuchField/);
    expect(() => attachResolvers(loadSchema(), { NoSuchType: {} })).toThrow(/NoSuchType/);
  });

  it('gives each built schema its own types: guarding one leaves the others unguarded', async () => {
    const a = createSchema();
    const b = createSchema();
    expect(a.getQueryType()).not.toBe(b.getQueryType());
    expect(buildSchema().getQueryType()).not.toBe(buildGuardedSchema().getQueryType());
    // The DateTime scalar carries the gateway's coercion (upstream time → ISO 8601 with offset).
    const res = await graphql({ schema: a, source: '{ __typename }' });
    expect(res).toEqual({ data: { __typename: 'Query' } });
    expect(a.getType('DateTime')).toMatchObject({ name: 'DateTime' });
    expect((a.getType('DateTime') as { serialize(v: unknown): unknown }).serialize('2025-12-02 07:59:59')).toBe('2025-12-02T07:59:59+08:00');
  });
});
