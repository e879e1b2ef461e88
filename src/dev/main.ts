/**
 * `npm start`: the gateway on PORT (default 4000) for local use, running the Lambda handlers.
 * Without TENCENTCLOUD_SECRET_ID it starts the embedded SSL API simulator with demo data.
 * Stops cleanly on SIGINT/SIGTERM (servers closed, upstream pool drained).
 */
import { ConfigError, loadConfig } from '../config';
import { fallbackLogger } from '../observability/log';
import { startLocalServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startLocalServer({ config });
  const { url } = server;
  const graphqlQuery = '{ certificates(limit: 3) { totalCount certificates { certificateId domain } } }';
  const lines = [
    `ssl-gateway listening on ${url}`,
    `  GraphQL     POST/GET ${url}/graphql  (open it in a browser for the playground${server.gateway.settings.playground ? '' : ': disabled'})`,
    `  REST        ${url}/v1/...`,
    `  Health      ${url}/healthz`,
    server.simulator
      ? `Upstream: embedded SSL API simulator at ${server.simulator.url}, seeded with demo data (TENCENTCLOUD_SECRET_ID is not set)`
      : `Upstream: Tencent Cloud SSL API at ${config.upstream.endpoint} (SecretId ${maskId(config.upstream.credentials?.secretId ?? '')})`,
    server.demoApiKey
      ? `Client authentication: demo API key (all scopes, this run only): ${server.demoApiKey}\n  send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'; the playground has it pre-filled`
      : config.auth.mode === 'disabled'
        ? 'Client authentication: DISABLED (GATEWAY_AUTH=disabled): every caller has every scope'
        : 'Client authentication: the configured API keys / JWT issuer',
    `CORS: ${server.gateway.settings.corsAllowedOrigins.join(', ') || 'no cross-origin browser access'}`,
    'Try:',
    `  curl -s ${url}/graphql -H 'content-type: application/json'${server.demoApiKey ? ` -H 'x-api-key: ${server.demoApiKey}'` : ''} \\`,
    `    -d '${JSON.stringify({ query: graphqlQuery })}'`,
  ];
  // The human start-up banner is the one plain-text output; everything after it is JSON log lines.
  console.log(lines.join('\n'));
  const log = server.gateway.logger;

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'signal again: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function maskId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}****${id.slice(-4)}`;
}

main().catch((err: unknown) => {
  fallbackLogger().error({ err: err instanceof Error ? err.message : String(err), configError: err instanceof ConfigError }, 'could not start');
  process.exit(1);
});
