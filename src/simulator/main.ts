/**
 * `npm run simulator`: the SSL API simulator alone.
 *
 * Environment:
 * - SIMULATOR_PORT (default 4010), SIMULATOR_HOST (default 127.0.0.1)
 * - TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY: accepted key pair (default: the demo pair
 *   `sim-demo-secret-id` / `sim-demo-secret-key`); TENCENTCLOUD_SESSION_TOKEN makes it a temporary
 *   credential whose X-TC-Token must match
 * - SIMULATOR_FAULTS: e.g. `latency=200,reset=0.1,internal=x2@DescribeCertificates,skew=30,seed=7`
 * - SIMULATOR_SEED (demo data seed), SIMULATOR_DEMO_DATA=0 (start empty),
 *   SIMULATOR_RATE_LIMITS=0 (disable rate limiting)
 */
import { createSimulator, DEMO_CREDENTIAL } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.SIMULATOR_PORT ?? 4010);
  const host = process.env.SIMULATOR_HOST ?? '127.0.0.1';
  const secretId = process.env.TENCENTCLOUD_SECRET_ID || DEMO_CREDENTIAL.secretId;
  const secretKey = process.env.TENCENTCLOUD_SECRET_KEY || (process.env.TENCENTCLOUD_SECRET_ID ? '' : DEMO_CREDENTIAL.secretKey);
  if (!secretKey) throw new Error('TENCENTCLOUD_SECRET_KEY must be set when TENCENTCLOUD_SECRET_ID is set');
  const token = process.env.TENCENTCLOUD_SESSION_TOKEN || undefined;
  const usingDemo = secretId === DEMO_CREDENTIAL.secretId && !process.env.TENCENTCLOUD_SECRET_ID;
  const sim = await createSimulator({
    port,
    host,
    credentials: [{ secretId, secretKey, token }],
    faults: process.env.SIMULATOR_FAULTS,
    seed: process.env.SIMULATOR_SEED ? Number(process.env.SIMULATOR_SEED) : undefined,
    demoData: process.env.SIMULATOR_DEMO_DATA !== '0',
    rateLimits: process.env.SIMULATOR_RATE_LIMITS === '0' ? false : undefined,
    log: (line) => console.error(line),
  });
  console.log(`SSL API simulator (ssl 2019-12-05) listening on ${sim.url}`);
  if (usingDemo) {
    console.log(`Demo credentials: TENCENTCLOUD_SECRET_ID=${DEMO_CREDENTIAL.secretId} TENCENTCLOUD_SECRET_KEY=${DEMO_CREDENTIAL.secretKey}`);
  } else {
    console.log(`Accepting SecretId ${secretId}${token ? ' (temporary credential, X-TC-Token required)' : ''}`);
  }
  console.log(`Point the gateway at it with TENCENTCLOUD_SSL_ENDPOINT=${sim.url}`);
  console.log(`Admin: ${sim.url}/__simulator/{health,calls,log,faults,reset,clock}`);
  if (sim.faults.list().length || sim.faults.clockSkewSeconds) {
    console.log(`Faults: ${JSON.stringify(sim.faults.list())} clock skew ${sim.faults.clockSkewSeconds}s`);
  }
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
