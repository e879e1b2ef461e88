/**
 * Child process of bench/load.ts (bundled to bench/.out/load-child.mjs with the Lambda build's
 * esbuild settings and run on plain node), so that each server has its own process and its RSS
 * can be read on its own:
 *
 *   load-child.ts simulator   the SSL API simulator, rate limits off, demo data, the credential in
 *                             BENCH_SECRET_ID / BENCH_SECRET_KEY
 *   load-child.ts gateway     the gateway's local server (`startLocalServer`) with the real
 *                             configuration path: `loadConfig(process.env)`
 *
 * Sends `{ ready: true, url, port }` over the IPC channel once listening; stops on SIGTERM or when
 * the parent disconnects.
 */
import { loadConfig } from '../src/config';
import { startLocalServer } from '../src/dev/server';
import { createSimulator } from '../src/simulator/index';

async function main(): Promise<void> {
  const role = process.argv[2];
  let close: () => Promise<void>;
  let url: string;
  let port: number;
  if (role === 'simulator') {
    const sim = await createSimulator({
      port: 0,
      host: '127.0.0.1',
      rateLimits: false,
      demoData: true,
      credentials: [{ secretId: process.env.BENCH_SECRET_ID!, secretKey: process.env.BENCH_SECRET_KEY! }],
    });
    ({ url, port } = sim);
    close = () => sim.close();
  } else if (role === 'gateway') {
    const server = await startLocalServer({ config: loadConfig(process.env), port: 0 });
    if (server.simulator) throw new Error('gateway started its own simulator: credentials missing from the environment');
    ({ url, port } = server);
    close = () => server.close();
  } else {
    throw new Error(`usage: load-child.ts simulator|gateway (got ${role})`);
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send!({ ready: true, url, port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
