/**
 * First contact with the GraphQL schema: the playground's example operations are valid against
 * the schema the gateway serves, and custom scalars keep their SDL descriptions in it.
 */
import { Kind, buildClientSchema, getIntrospectionQuery, graphqlSync, parse, validate, type IntrospectionQuery } from 'graphql';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createGraphQLServer } from '../../../src/graphql/server';
import { BIND_RESOURCE_TASK, CERTIFICATE_DASHBOARD, DELETE_WITH_TASK_POLLING, DEPLOY_AND_AWAIT, exampleOperationFiles, PLAYGROUND_EXAMPLES } from '../../../src/playground/examples';
import { typeDefs } from '../../../schema/generated/typeDefs';

const upstream = { call: () => Promise.reject(new Error('no upstream in this test')) };
const { schema } = createGraphQLServer({ upstream: upstream as never });

describe('playground example operations', () => {
  it('cover the common flows: dashboard, deploy + awaitCompletion, bind-resource task, delete with task polling', () => {
    const names = PLAYGROUND_EXAMPLES.map((e) =>
      parse(e.query).definitions.flatMap((d) => (d.kind === 'OperationDefinition' && d.name ? [`${d.operation} ${d.name.value}`] : [])),
    );
    expect(names).toEqual([
      ['query CertificateDashboard'],
      ['mutation DeployCertificate'],
      ['mutation BindResourceTask'],
      ['mutation DeleteCertificate', 'query DeleteTaskStatus'],
    ]);
    expect(PLAYGROUND_EXAMPLES[1].query).toContain('awaitCompletion');
    expect(PLAYGROUND_EXAMPLES[3].query).toMatch(/deleteTask\(id: \$taskId\)/);
  });

  it('each validates against the live schema, with variables that are valid JSON', () => {
    for (const example of PLAYGROUND_EXAMPLES) {
      const errors = validate(schema, parse(example.query));
      expect(errors.map((e) => e.message), example.query.split('\n').find((l) => /^(query|mutation)/.test(l))).toEqual([]);
      if (example.variables !== undefined) expect(() => JSON.parse(example.variables!)).not.toThrow();
    }
  });
  it('are the operations examples/graphql/ generates its typed client from (generated from them: npm run docs:generate)', () => {
    const dir = new URL('../../../examples/graphql/operations/', import.meta.url);
    const files = exampleOperationFiles();
    expect(readdirSync(dir).sort()).toEqual(Object.keys(files).sort());
    for (const [name, text] of Object.entries(files)) expect(readFileSync(new URL(name, dir), 'utf8'), `${name} is stale: run npm run docs:generate`).toBe(text);
    expect(Object.values(files).map((t) => t.slice(t.indexOf('\n') + 1))).toEqual([CERTIFICATE_DASHBOARD, DEPLOY_AND_AWAIT, BIND_RESOURCE_TASK, DELETE_WITH_TASK_POLLING]);
  });
});

describe('custom scalars in the live schema', () => {
  it('keeps the DateTime description of the SDL, as introspection shows it', () => {
    const definition = parse(typeDefs.join('\n')).definitions.find((d) => d.kind === Kind.SCALAR_TYPE_DEFINITION && d.name.value === 'DateTime');
    const documented = definition && 'description' in definition ? definition.description?.value : undefined;
    expect(documented).toMatch(/ISO 8601/);
    const result = graphqlSync({ schema, source: '{ __type(name: "DateTime") { kind description } }' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ __type: { kind: 'SCALAR', description: documented } });
  });

  it('gives every custom scalar a description (what a client generator or the Docs panel shows)', () => {
    const result = graphqlSync({ schema, source: getIntrospectionQuery() });
    const client = buildClientSchema(result.data as unknown as IntrospectionQuery);
    const custom = Object.values(client.getTypeMap()).filter((t) => !t.name.startsWith('__') && t.constructor.name === 'GraphQLScalarType' && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(t.name));
    expect(custom.map((t) => t.name)).toContain('DateTime');
    for (const t of custom) expect(t.description, t.name).toMatch(/\S/);
  });
});
