/**
 * GraphQL Code Generator configuration: typed operations for the gateway's common flows.
 * Run from this folder: `npx graphql-codegen --config codegen.ts` (or `npm run examples:check`
 * at the repository root, which also type-checks the examples).
 *
 * Against a running gateway, point `schema` at it instead (introspection needs a key):
 *   schema: { 'http://localhost:4000/graphql': { headers: { 'x-api-key': process.env.SSL_GATEWAY_KEY! } } }
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const shared = {
  // DateTime is ISO 8601 text with an offset, e.g. 2025-12-02T07:59:59+08:00.
  scalars: { DateTime: 'string' },
  enumsAsTypes: true,
  useTypeImports: true,
};

const config: CodegenConfig = {
  // The committed SDL: the spec-derived types and root fields plus the hand-written task types.
  schema: ['../../schema/generated/api.graphql', '../../schema/*.graphql'],
  documents: ['operations/*.graphql'],
  generates: {
    // The operations' result and variable types (with the enums and inputs they use) and one
    // TypedDocumentNode per operation: what the example client imports.
    'generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: { ...shared },
    },
    // Every schema type, for code that passes whole objects around (a cache, a view model).
    // Separate: typescript-operations already emits the enums its operations use.
    'generated/schema.ts': {
      plugins: ['typescript'],
      config: { ...shared },
    },
  },
};

export default config;
