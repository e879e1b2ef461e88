/** `GET /v1/openapi.json` and `GET /v1/docs`, both generated once from the route table and the spec. */
import { renderDocsHtml } from '../docs';
import { baseHeaders } from '../errors';
import { buildOpenApiDocument } from '../openapi';
import type { Route } from '../router';
import type { JsonSchema } from '../schemas';

/** The meta routes need the full table (including themselves) to describe it. */
export function metaRoutes(all: () => readonly Route[]): Route[] {
  let doc: JsonSchema | undefined;
  let docJson: string | undefined;
  let html: string | undefined;
  const openapi = () => (doc ??= buildOpenApiDocument(all()));

  return [
    {
      method: 'GET',
      path: '/v1/openapi.json',
      doc: {
        operationId: 'getOpenApiDocument',
        summary: 'This OpenAPI document',
        description: 'OpenAPI 3.1 description of every route, generated from the API specification.',
        tags: ['Meta'],
        actions: [],
        responses: { '200': { description: 'The OpenAPI document.' } },
      },
      async handle(ctx) {
        docJson ??= JSON.stringify(openapi());
        return { status: 200, headers: { ...baseHeaders(ctx.req.requestId), 'cache-control': 'public, max-age=300' }, body: docJson };
      },
    },
    {
      method: 'GET',
      path: '/v1/docs',
      doc: {
        operationId: 'getDocs',
        summary: 'Human-readable reference',
        description: 'A self-contained HTML page listing every route with its parameters, bodies, responses and schemas.',
        tags: ['Meta'],
        actions: [],
        responses: { '200': { description: 'HTML reference.' } },
      },
      async handle(ctx) {
        html ??= renderDocsHtml(openapi());
        return {
          status: 200,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'public, max-age=300',
            'x-request-id': ctx.req.requestId,
            // Self-contained page: inline styles only, nothing loaded from elsewhere.
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            'x-content-type-options': 'nosniff',
          },
          body: html,
        };
      },
    },
  ];
}
