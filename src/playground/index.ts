/**
 * Public surface of the GraphQL playground: a GraphiQL 3 page and its vendored assets, served by
 * the GraphQL surface itself (`GET /graphql` from a browser, `GET /graphql/assets/<file>`).
 *
 * Apollo's own landing pages load from a CDN, so the gateway always disables them and answers the
 * browser's GET itself (see `prefersHtml`, which mirrors Apollo's content negotiation).
 */
import { SAME_ORIGIN_ONLY, serveStaticAsset } from '../http/static-assets';
import type { GatewayRequest, GatewayResponse } from '../http/types';
import { PlaygroundAssets } from './assets';
import { PLAYGROUND_CSP, PLAYGROUND_SCRIPT, PLAYGROUND_SCRIPT_SOURCE, renderPlaygroundPage, type PlaygroundPageOptions } from './page';

export { PLAYGROUND_FILES, BUNDLED_ASSET_DIR, locatePlaygroundFile, type PlaygroundFile } from './assets';
export { DEFAULT_PLAYGROUND_QUERY, PLAYGROUND_CSP, renderPlaygroundPage, type PlaygroundPageOptions } from './page';

/** A response whose body may be base64 (binary or compressed). */
export type PlaygroundResponse = GatewayResponse & { isBase64Encoded?: boolean };

export interface PlaygroundOptions extends PlaygroundPageOptions {
  /** Extra folders searched for the vendored files before node_modules. */
  assetDirs?: readonly string[];
}

export interface Playground {
  /**
   * Answers a request for the page or one of its assets; undefined when the request is not for
   * the playground (a GraphQL request, or a path this module does not serve).
   */
  handle(req: GatewayRequest): PlaygroundResponse | undefined;
}

const ASSET_PATH = /\/assets\/([A-Za-z0-9._-]+)$/;

export function createPlayground(options: PlaygroundOptions = {}): Playground {
  const assets = new PlaygroundAssets(
    options.assetDirs ?? [],
    new Map([[PLAYGROUND_SCRIPT, { contentType: 'text/javascript; charset=utf-8', body: PLAYGROUND_SCRIPT_SOURCE }]]),
  );
  const pages = new Map<string, string>();
  return {
    handle(req) {
      const method = req.method.toUpperCase();
      const asset = ASSET_PATH.exec(req.path);
      if (asset) {
        if (method !== 'GET' && method !== 'HEAD') return undefined;
        return serveStaticAsset(assets, asset[1], req, 'playground');
      }
      if (method !== 'GET' || !prefersHtml(req.headers.accept)) return undefined;
      // Relative to the page, so a stage prefix (/dev/graphql) or a trailing slash both work.
      const last = req.path.endsWith('/') ? '' : `${req.path.slice(req.path.lastIndexOf('/') + 1)}/`;
      const base = `${last}assets/`;
      let html = pages.get(base);
      if (html === undefined) {
        html = renderPlaygroundPage(base, options);
        pages.set(base, html);
      }
      return {
        status: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': PLAYGROUND_CSP,
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-cache',
          ...SAME_ORIGIN_ONLY,
        },
        body: html,
      };
    },
  };
}

const JSON_TYPES = ['application/json', 'application/graphql-response+json'];

/**
 * Whether a GET with this Accept header wants the HTML page rather than a GraphQL JSON response:
 * the best-ranked of text/html and the JSON types wins, ranked by q, then by specificity (an
 * exact type beats a wildcard), then by position in the header; a tie goes to JSON, as in Apollo
 * Server (so `Accept: *\/*` from curl gets GraphQL, a browser's navigation gets the page).
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  type Rank = [q: number, specificity: number, position: number];
  const better = (a: Rank, b: Rank): boolean => a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] < b[2];
  const rank = (types: readonly string[]): Rank | undefined => {
    let best: Rank | undefined;
    accept.split(',').forEach((part, position) => {
      const [range, ...params] = part.trim().toLowerCase().split(';');
      const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      if (!(q > 0)) return;
      for (const type of types) {
        const specificity = range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
        if (specificity < 0) continue;
        const r: Rank = [q, specificity, position];
        if (!best || better(r, best)) best = r;
      }
    });
    return best;
  };
  const html = rank(['text/html']);
  const json = rank(JSON_TYPES);
  return html !== undefined && (json === undefined || better(html, json));
}
