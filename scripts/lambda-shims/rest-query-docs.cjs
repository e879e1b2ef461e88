'use strict'
/**
 * `src/rest/routes/query-docs.ts` as the REST Lambda bundle sees it (scripts/build-lambda.ts
 * aliases the module here). The routes' query documentation is read only when the OpenAPI
 * document is rendered, which for the Lambda happens at build time (see rest-openapi.ts in this
 * folder); the real module pulls in the JSON Schema builder and spec/en.json's descriptions.
 */
module.exports = {
  memberQueryDocs () {
    throw new Error('memberQueryDocs is not part of the Lambda bundle: the OpenAPI document is made at build time (scripts/lambda-shims/rest-query-docs.cjs)')
  }
}
