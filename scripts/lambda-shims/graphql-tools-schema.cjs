'use strict'
/**
 * `@graphql-tools/schema` as the Lambda bundles see it. Apollo Server imports it to build a
 * schema from `typeDefs`; the gateway always passes a built schema (src/graphql/executable.ts),
 * so the package (and its @graphql-tools/merge and utils, about 170 KiB minified) stays out.
 */
module.exports = {
  makeExecutableSchema () {
    throw new Error('makeExecutableSchema is not part of the Lambda bundle: pass a built schema (scripts/lambda-shims/graphql-tools-schema.cjs)')
  }
}
