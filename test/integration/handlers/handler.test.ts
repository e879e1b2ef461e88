/**
 * The Lambda handler factory's lifecycle: nothing built at import or creation, one gateway per
 * container however many invocations race for it, a failed start-up answered with 503 and retried
 * on the next invocation, non-HTTP events refused.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../../handlers/lib/lambda';
import { createGateway, memoizeGateway, type Gateway } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createLogger, setFallbackLogger } from '../../../src/observability/log';
import { createSimulator, DEMO_CREDENTIAL, type Simulator } from '../../../src/simulator/index';
import { httpEvent, lambdaContext, normalizeResult } from '../../helpers/lambda-events';

let sim: Simulator;
const built: Gateway[] = [];

beforeAll(async () => {
  sim = await createSimulator({ port: 0 });
});
afterAll(async () => {
  await Promise.all(built.map((g) => g.close()));
  await sim?.close();
});

const health = httpEvent('apigw-v2', { method: 'GET', path: '/healthz' });

describe('createLambdaHandler', () => {
  it('builds the gateway on the first invocation only, once for concurrent invocations', async () => {
    let builds = 0;
    const getGateway = memoizeGateway(async () => {
      builds += 1;
      const g = await createGateway(loadConfig({ NODE_ENV: 'test' }), { upstream: { endpoint: sim.url, credentials: { ...DEMO_CREDENTIAL } } });
      built.push(g);
      return g;
    });
    const handler = createLambdaHandler('rest', getGateway);
    expect(builds).toBe(0);
    const results = await Promise.all([1, 2, 3].map(() => handler(health, lambdaContext())));
    expect(results.map((r) => normalizeResult(r).status)).toEqual([200, 200, 200]);
    await handler(health, lambdaContext());
    expect(builds).toBe(1);
  });

  it('answers 503 while the gateway cannot start, and retries on the next invocation', async () => {
    let attempts = 0;
    const getGateway = memoizeGateway(async () => {
      attempts += 1;
      // Missing credentials: createUpstreamClient refuses, naming the variables.
      const config = attempts === 1 ? loadConfig({ NODE_ENV: 'test' }) : loadConfig({ NODE_ENV: 'test', TENCENTCLOUD_SSL_ENDPOINT: sim.url, TENCENTCLOUD_SECRET_ID: DEMO_CREDENTIAL.secretId, TENCENTCLOUD_SECRET_KEY: DEMO_CREDENTIAL.secretKey });
      const g = await createGateway(config);
      built.push(g);
      return g;
    });
    const handler = createLambdaHandler('rest', getGateway);
    // The failure is logged as a structured JSON line (never a bare console line).
    const lines: string[] = [];
    const original = setFallbackLogger(createLogger({ destination: new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }) as never }));
    try {
      const first = normalizeResult(await handler(httpEvent('alb', { method: 'GET', path: '/healthz' }), lambdaContext()));
      expect(first.status).toBe(503);
      expect(JSON.parse(first.text).error.code).toBe('SERVICE_UNAVAILABLE');
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]);
      expect(line).toMatchObject({ level: 50, msg: 'initialisation failed', requestId: expect.any(String) });
      expect(line.err).toContain('TENCENTCLOUD_SECRET_ID');
    } finally {
      setFallbackLogger(original);
    }
    const second = normalizeResult(await handler(health, lambdaContext()));
    expect(second.status).toBe(200);
    expect(JSON.parse(second.text).upstream.mode).toBe('simulator');
    expect(attempts).toBe(2);
  });

  it('refuses an event that is not an HTTP event, without building the gateway', async () => {
    let builds = 0;
    const handler = createLambdaHandler('graphql', async () => {
      builds += 1;
      throw new Error('not expected');
    });
    const res = normalizeResult(await handler({ Records: [] } as never, lambdaContext()));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.code).toBe('UNSUPPORTED_EVENT');
    expect(builds).toBe(0);
  });
});
