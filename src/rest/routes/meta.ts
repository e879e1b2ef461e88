/** `GET /v1/openapi.json` and `GET /v1/docs`, both generated once from the route table and the spec. */
import { docsPageHeaders, renderDocsPage } from '../docs';
import { baseHeaders } from '../errors';
import { buildOpenApiDocument } from '../openapi';
import type { Route } from '../router';
import type { JsonSchema } from '../schemas';

/** The meta routes need the full table (including themselves) to describe it. */
export function metaRoutes(all: () => readonly Route[]): Route[] {
  let doc: JsonSchema | undefined;
  let docJson: string | undefined;
  const pages = new Map<boolean, string>();
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
        description:
          'The API reference: an HTML page that renders this OpenAPI document with Redoc, served with its files from the gateway itself (no CDN). Needs no credential unless PUBLIC_DOCS=false.',
        tags: ['Meta'],
        actions: [],
        responses: { '200': { description: 'HTML page of the API reference.' } },
      },
      async handle(ctx) {
        // One page per form of the path: `/v1/docs/` needs other relative URLs than `/v1/docs`.
        const slash = ctx.req.path.endsWith('/');
        let html = pages.get(slash);
        if (html === undefined) {
          html = renderDocsPage(ctx.req.path, `${String((openapi().info as JsonSchema).title)} reference`);
          pages.set(slash, html);
        }
        return { status: 200, headers: docsPageHeaders(ctx.req.requestId), body: html };
      },
    },
  ];
}
