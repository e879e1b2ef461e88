/**
 * `GET /v1/docs`: the API reference, rendered in the browser by Redoc (a maintained OpenAPI
 * renderer) from `GET /v1/openapi.json`, so the page and the machine-readable description never
 * disagree.
 *
 * Redoc was chosen over Swagger UI and Scalar for its size and because it works offline as it is:
 * its standalone bundle is one 1.1 MB file (about 330 KB gzipped; Swagger UI's bundle and CSS are
 * about 1.9 MB / 490 KB, Scalar's standalone 3.6 MB / 1 MB and it calls its own proxy and font
 * hosts by default), needs no fonts or images from elsewhere, and is read-only.
 *
 * Everything is same-origin, as in the playground: the page loads the bundle and its start-up
 * script from `/v1/docs/assets/`, and `DOCS_CSP` forbids any other origin. URLs are relative to
 * the page, so it also works behind an API Gateway stage prefix.
 */
import { JS_CONTENT_TYPE, SAME_ORIGIN_ONLY, StaticAssets, locateVendoredFile, serveStaticAsset, type VendoredFile } from '../http/static-assets';
import { escapeHtml, htmlPageStart, selfOnlyCsp } from '../http/html';
import type { GatewayRequest, GatewayResult } from '../http/types';

/** Every vendored file the reference page loads. The build script copies exactly these. */
export const DOCS_FILES: readonly VendoredFile[] = [
  {
    name: 'redoc.standalone.js',
    package: 'redoc',
    file: 'bundles/redoc.standalone.js',
    contentType: JS_CONTENT_TYPE,
    // Redoc's side menu always shows its vendor's logo, loaded from the vendor's CDN (there is no
    // option to turn it off). An empty data: image instead: no request leaves the gateway, and
    // Redoc's own error handler then hides the broken image.
    replace: [['https://cdn.redoc.ly/redoc/logo-mini.svg', 'data:,']],
  },
];

/** Folder name of the vendored files next to a bundled handler. */
export const DOCS_ASSET_DIR = 'docs';

/** Path of a vendored docs file: next to the bundle when built, else in node_modules. */
export function locateDocsFile(file: VendoredFile, searchDirs: readonly string[] = []): string {
  return locateVendoredFile(file, DOCS_ASSET_DIR, searchDirs);
}

/** Name of the start-up script among the docs assets. */
export const DOCS_SCRIPT = 'docs.js';

/**
 * Start-up script, a same-origin file so the CSP needs no `unsafe-inline` for scripts. The spec
 * URL comes from the root element (relative to the page). Redoc's search index is built in a web
 * worker that it creates from a `blob:` URL (allowed by `worker-src blob:`).
 */
export const DOCS_SCRIPT_SOURCE = `(function () {
  'use strict';
  var root = document.getElementById('redoc');
  Redoc.init(
    root.getAttribute('data-spec-url'),
    {
      expandResponses: '200,201,202',
      jsonSampleExpandLevel: 3,
      sortTagsAlphabetically: false,
      hideHostname: false,
      theme: { typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' }, code: { fontFamily: 'ui-monospace, Menlo, Consolas, monospace' } } },
    },
    root,
  );
})();
`;

/**
 * Sent with the page. `style-src 'unsafe-inline'`: Redoc styles itself with styled-components,
 * which inserts `<style>` elements. No external origin anywhere.
 */
export const DOCS_CSP = selfOnlyCsp(['worker-src blob:']);

/**
 * The page served at `path` (`/v1/docs`, `/v1/docs/`, or with a stage prefix). Relative URLs:
 * from `/v1/docs` the assets are `docs/assets/…` and the document `openapi.json`; from
 * `/v1/docs/` they are `assets/…` and `../openapi.json`.
 */
export function renderDocsPage(path: string, title: string): string {
  const slash = path.endsWith('/');
  const assets = slash ? 'assets/' : 'docs/assets/';
  const spec = slash ? '../openapi.json' : 'openapi.json';
  return `${htmlPageStart(title)}
<style>body { margin: 0; }</style>
</head>
<body>
<noscript>This reference needs JavaScript. The machine-readable description is <a href="${escapeHtml(spec)}">openapi.json</a> (OpenAPI 3.1).</noscript>
<div id="redoc" data-spec-url="${escapeHtml(spec)}"></div>
<script src="${escapeHtml(`${assets}redoc.standalone.js`)}"></script>
<script src="${escapeHtml(`${assets}${DOCS_SCRIPT}`)}"></script>
</body>
</html>
`;
}

/** Headers of the page. */
export function docsPageHeaders(requestId: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': DOCS_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
    'x-request-id': requestId,
    ...SAME_ORIGIN_ONLY,
  };
}

/** `…/v1/docs/assets/<file>`: one of the page's files. */
const ASSET_PATH = /(?:^|\/)v1\/docs\/assets\/([A-Za-z0-9._-]+)$/;

/** The docs page's files; `handle` answers undefined for a request that is not for one. */
export interface DocsAssets {
  handle(req: GatewayRequest): GatewayResult | undefined;
}

export function createDocsAssets(searchDirs: readonly string[] = []): DocsAssets {
  const assets = new StaticAssets(DOCS_FILES, DOCS_ASSET_DIR, searchDirs, new Map([[DOCS_SCRIPT, { contentType: JS_CONTENT_TYPE, body: DOCS_SCRIPT_SOURCE }]]));
  return {
    handle(req) {
      const m = ASSET_PATH.exec(req.path);
      if (!m) return undefined;
      const method = req.method.toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') return undefined;
      return serveStaticAsset(assets, m[1], req, 'docs');
    },
  };
}
