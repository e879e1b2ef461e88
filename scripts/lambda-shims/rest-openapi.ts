/**
 * `src/rest/openapi.ts` as the REST Lambda bundle sees it (scripts/build-lambda.ts aliases the
 * module here). The OpenAPI document is rendered at BUILD time, in-process from the full spec
 * and the route table (`buildOpenApiDocument(REST_ROUTES)`, exactly what the local server and
 * the tests serve), and written into the zip next to the bundle as `docs/openapi.json`
 * (`OPENAPI_ARTIFACT`). The function reads that file on the first `/v1/openapi.json` or
 * `/v1/docs` request instead of rendering it, so the spec's documentation text (spec/en.json's
 * descriptions, the Chinese seed text: about 600 KiB), the schema builder and the error
 * catalogue's prose stay out of the bundle: it loads the compact runtime spec like the GraphQL
 * function. test/integration/handlers/package.test.ts checks the bundled answer equals the
 * in-process document.
 */
import { readFileSync } from 'node:fs';
import { DOCS_ASSET_DIR } from '../../src/rest/docs';
import type { Route } from '../../src/rest/router';
import type { JsonSchema } from '../../src/rest/schemas';

/** The document's file inside the zip, relative to the bundle (`handlers/docs/openapi.json`). */
export const OPENAPI_ARTIFACT = `${DOCS_ASSET_DIR}/openapi.json`;

/** The build-time document (the route table it was made from is this bundle's own). */
export function buildOpenApiDocument(_routes: readonly Route[]): JsonSchema {
  // `import.meta.url` is the bundle's URL once bundled (handlers/rest.mjs).
  return JSON.parse(readFileSync(new URL(`./${OPENAPI_ARTIFACT}`, import.meta.url), 'utf8')) as JsonSchema;
}
