/**
 * Apollo Server's usage reporting, schema reporting and inline trace plugins as the Lambda
 * bundles see them (scripts/build-lambda.ts aliases those modules here). They report to Apollo's
 * cloud (GraphOS) through a protobuf encoder and fetch polyfills (about 300 KiB minified) that a
 * self-hosted gateway never uses: src/graphql/server.ts installs the "disabled" variants of the
 * two reporting plugins, so Apollo never asks for them. Inline tracing is installed by Apollo
 * for every server but only acts for a federated subgraph, which this schema is not.
 *
 * An ES module: Apollo loads these with `await import()` and destructures named exports, which
 * an ES module chunk of a split bundle keeps (a CommonJS one would offer only `default`).
 */
function notBundled(name) {
  return () => {
    throw new Error(`${name} is not part of the Lambda bundle (scripts/lambda-shims/apollo-reporting.mjs)`);
  };
}

export const ApolloServerPluginUsageReporting = notBundled('ApolloServerPluginUsageReporting');
export const ApolloServerPluginSchemaReporting = notBundled('ApolloServerPluginSchemaReporting');
// A plugin without hooks: what the real one amounts to outside a subgraph.
export const ApolloServerPluginInlineTrace = () => ({ __internal_plugin_id__: 'InlineTrace' });
