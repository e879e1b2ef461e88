/**
 * The one place that decides which surface serves a path. Paths may carry an API Gateway stage
 * prefix (`/dev/graphql`), so the Lambda surfaces match them on their end; the local server, which
 * has no stage, asks `surfaceOf` which Lambda handler a path goes to.
 */
import type { Surface } from './types';

/** `/graphql`: GraphQL over HTTP, or the playground page for a browser. */
export const isGraphQLPath = (path: string): boolean => /(^|\/)graphql\/?$/.test(path);
/** `/graphql/assets/<file>`: the playground's bundled assets. */
export const isAssetPath = (path: string): boolean => /(^|\/)graphql\/assets\/[^/]+$/.test(path);
/** `/healthz`, served by the REST surface. */
export const isHealthPath = (path: string): boolean => /(^|\/)healthz\/?$/.test(path);
/** `/v1/...`: the REST facade. */
export const isRestPath = (path: string): boolean => /(^|\/)v1(\/|$)/.test(path);

/**
 * `/v1/openapi.json`, `/v1/docs` and the docs page's files (`/v1/docs/assets/<file>`): the
 * documentation, which answers without a credential unless `PUBLIC_DOCS=false`.
 */
export const isDocsPath = (path: string): boolean => /(^|\/)v1\/(openapi\.json|docs\/?|docs\/assets\/[^/]+)$/.test(path);

/** The surface (Lambda function) a path of the local server belongs to, if any. */
export function surfaceOf(path: string): Surface | undefined {
  if (path === '/graphql' || path.startsWith('/graphql/')) return 'graphql';
  if (path === '/v1' || path.startsWith('/v1/') || path === '/healthz') return 'rest';
  return undefined;
}
