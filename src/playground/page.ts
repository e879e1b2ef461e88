/**
 * The playground's HTML page and its start-up script.
 *
 * Everything is same-origin: the page loads React, ReactDOM, GraphiQL and its CSS from
 * `<endpoint>/assets/`, and the Content-Security-Policy sent with it (see `PLAYGROUND_CSP`) forbids
 * any other origin, so a browser with no internet access gets a working IDE and a page cannot
 * leak queries or headers elsewhere. URLs are relative to the page, so the page works behind an
 * API Gateway stage prefix (`/dev/graphql`) as well as at `/graphql`.
 */

import { escapeHtml, htmlPageStart, selfOnlyCsp } from '../http/html';
import { CERTIFICATE_DASHBOARD, PLAYGROUND_EXAMPLES, type PlaygroundExample } from './examples';

export interface PlaygroundPageOptions {
  /** Page title. @default 'ssl-gateway GraphQL playground' */
  title?: string;
  /** Query shown in the first tab of a fresh browser. */
  defaultQuery?: string;
  /**
   * Headers pre-filled in the headers editor (e.g. a demo API key). Not persisted in the browser
   * unless the user opts in (`shouldPersistHeaders` stays false).
   */
  defaultHeaders?: Record<string, string>;
  /**
   * One line above the IDE saying where the credential goes (e.g. "Put your API key in Headers
   * as x-api-key"). Shown when set.
   */
  credentialHint?: string;
  /**
   * Header values that are placeholders to replace (e.g. `<your key>`): while the headers hold one,
   * the page sends nothing and answers with `credentialHint` instead of the gateway's 401.
   */
  placeholders?: readonly string[];
  /** Tabs opened in a fresh browser. @default PLAYGROUND_EXAMPLES */
  examples?: readonly PlaygroundExample[];
}

/** The query a fresh page opens with when no tab is restored: the certificate dashboard example. */
export const DEFAULT_PLAYGROUND_QUERY = CERTIFICATE_DASHBOARD;

/** Name of the start-up script among the playground assets. */
export const PLAYGROUND_SCRIPT = 'playground.js';

/**
 * Start-up script, served as a same-origin file so the CSP needs no `unsafe-inline` for scripts.
 * Reads its settings from the root element's data attributes; `?query=`, `?variables=` and
 * `?operationName=` in the page URL open that operation (shareable links).
 */
export const PLAYGROUND_SCRIPT_SOURCE = `(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var params = new URLSearchParams(window.location.search);
  var endpoint = window.location.origin + window.location.pathname.replace(/\\/+$/, '');
  var defaultHeaders = root.getAttribute('data-default-headers') || undefined;
  var hint = root.getAttribute('data-credential-hint') || '';
  var placeholders = JSON.parse(root.getAttribute('data-placeholders') || '[]');
  var examples = JSON.parse(root.getAttribute('data-examples') || '[]');
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  // Headers still holding a placeholder such as <your key>: say where the key goes instead of
  // sending a request that can only answer 401.
  function holdsPlaceholder(headers) {
    if (!headers) return false;
    return Object.keys(headers).some(function (name) {
      var value = String(headers[name]);
      return placeholders.some(function (p) { return value.indexOf(p) >= 0; });
    });
  }
  var props = {
    fetcher: function (graphQLParams, opts) {
      if (holdsPlaceholder(opts && opts.headers)) return Promise.resolve({ errors: [{ message: hint, extensions: { code: 'CREDENTIAL_PLACEHOLDER' } }] });
      return fetcher(graphQLParams, opts);
    },
    defaultQuery: root.getAttribute('data-default-query') || undefined,
    defaultHeaders: defaultHeaders,
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: defaultHeaders ? 'headers' : undefined,
  };
  if (params.has('query')) props.query = params.get('query');
  if (params.has('variables')) props.variables = params.get('variables');
  if (params.has('operationName')) props.operationName = params.get('operationName');
  // A fresh browser opens the example operations as tabs, each with the default headers; a shared
  // link (?query=) opens just that operation.
  if (!params.has('query') && examples.length > 0) {
    props.defaultTabs = examples.map(function (e) { return { query: e.query, variables: e.variables, headers: defaultHeaders }; });
  }
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
`;

/**
 * Sent with the page. `style-src 'unsafe-inline'` is needed by CodeMirror and GraphiQL, which set
 * inline styles; fonts are data: URIs inside graphiql.min.css.
 */
export const PLAYGROUND_CSP = selfOnlyCsp();

/**
 * The page. `assetBase` is the path of the asset folder relative to the page, e.g.
 * `graphql/assets/` for a page served at `.../graphql`.
 */
export function renderPlaygroundPage(assetBase: string, options: PlaygroundPageOptions = {}): string {
  const title = options.title ?? 'ssl-gateway GraphQL playground';
  const asset = (name: string): string => escapeHtml(`${assetBase}${name}`);
  const headers = options.defaultHeaders && Object.keys(options.defaultHeaders).length > 0 ? JSON.stringify(options.defaultHeaders, null, 2) : '';
  const hint = options.credentialHint ?? '';
  const examples = JSON.stringify(options.examples ?? PLAYGROUND_EXAMPLES);
  return `${htmlPageStart(title)}
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<style>html, body { height: 100%; margin: 0; overflow: hidden; } body { display: flex; flex-direction: column; }
#credential-hint { margin: 0; padding: 6px 12px; font: 14px/1.4 system-ui, sans-serif; background: #fff8d6; border-bottom: 1px solid #e6d88a; }
#graphiql { flex: 1; min-height: 0; }</style>
</head>
<body>
${hint ? `<p id="credential-hint" role="note">${escapeHtml(hint)}</p>\n` : ''}<div id="graphiql" data-default-query="${escapeHtml(options.defaultQuery ?? DEFAULT_PLAYGROUND_QUERY)}" data-default-headers="${escapeHtml(headers)}" data-credential-hint="${escapeHtml(hint)}" data-placeholders="${escapeHtml(JSON.stringify(options.placeholders ?? []))}" data-examples="${escapeHtml(examples)}">Loading the playground…</div>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script src="${asset(PLAYGROUND_SCRIPT)}"></script>
</body>
</html>
`;
}
