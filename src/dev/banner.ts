/**
 * What `npm start` prints once the local server listens: the endpoints, the upstream, how clients
 * authenticate, and a "Try:" command that works as printed (with the demo key) or needs only the
 * placeholder replaced (`<your key>` in the header the gateway accepts).
 */
import { credentialHint } from '../auth/credential-hint';
import type { Config } from '../config';
import type { LocalServer } from './server';

const TRY_QUERY = '{ certificates(limit: 3) { totalCount certificates { certificateId domain } } }';

export function startupBanner(server: Pick<LocalServer, 'url' | 'gateway' | 'simulator' | 'demoApiKey'>, config: Config): string {
  const { url } = server;
  const settings = server.gateway.settings;
  const auth = config.auth;
  // The header the Try command sends: the demo key as is, else the template of the configured scheme.
  const tryHeader = server.demoApiKey ? { name: 'x-api-key', value: server.demoApiKey } : headerOf(credentialHint(auth)?.headers);
  const lines = [
    `ssl-gateway listening on ${url}`,
    `  GraphQL     POST/GET ${url}/graphql  (open it in a browser for the playground${settings.playground ? '' : ': disabled'})`,
    `  REST        ${url}/v1/...`,
    `  API docs    ${url}/v1/docs  (OpenAPI: ${url}/v1/openapi.json${settings.publicDocs ? ', no key needed' : ', key needed: PUBLIC_DOCS=false'})`,
    `  Health      ${url}/healthz`,
    server.simulator
      ? `Upstream: embedded SSL API simulator at ${server.simulator.url}, seeded with demo data (TENCENTCLOUD_SECRET_ID is not set)`
      : `Upstream: Tencent Cloud SSL API at ${config.upstream.endpoint} (SecretId ${maskId(config.upstream.credentials?.secretId ?? '')})`,
    server.demoApiKey
      ? `Client authentication: demo API key (all scopes, this run only): ${server.demoApiKey}\n  send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'; the playground has it pre-filled`
      : auth.mode === 'disabled'
        ? 'Client authentication: DISABLED (GATEWAY_AUTH=disabled): every caller has every scope'
        : `Client authentication: the configured ${auth.apiKeys.length > 0 ? 'API keys' : ''}${auth.apiKeys.length > 0 && auth.jwt ? ' / ' : ''}${auth.jwt ? 'JWT issuer' : ''}${
            tryHeader ? `; send '${tryHeader.name}: ${tryHeader.value}'` : ''
          }`,
    `CORS: ${settings.corsAllowedOrigins.join(', ') || 'no cross-origin browser access'}`,
    'Try:',
    `  curl -s ${url}/graphql -H 'content-type: application/json'${tryHeader ? ` -H '${tryHeader.name}: ${tryHeader.value}'` : ''} \\`,
    `    -d '${JSON.stringify({ query: TRY_QUERY })}'`,
  ];
  return lines.join('\n');
}

function headerOf(headers: Record<string, string> | undefined): { name: string; value: string } | undefined {
  const first = headers && Object.entries(headers)[0];
  return first ? { name: first[0], value: first[1] } : undefined;
}

function maskId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}
