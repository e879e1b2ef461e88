/**
 * `npm start`: the gateway on PORT (default 4000) for local use, running the Lambda handlers.
 * Without TENCENTCLOUD_SECRET_ID it starts the embedded SSL API simulator with demo data.
 * Stops cleanly on SIGINT/SIGTERM (servers closed, upstream pool drained).
 */
import { ConfigError, loadConfig } from '../config';
import { fallbackLogger } from '../observability/log';
import { startupBanner } from './banner';
import { startLocalServer } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startLocalServer({ config });
  // The human start-up banner is the one plain-text output; everything after it is JSON log lines.
  console.log(startupBanner(server, config));
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

main().catch((err: unknown) => {
  fallbackLogger().error({ err: err instanceof Error ? err.message : String(err), configError: err instanceof ConfigError }, 'could not start');
  process.exit(1);
});
