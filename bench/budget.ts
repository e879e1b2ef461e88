/**
 * `npm run bench -- budget`: how far the upstream budget goes, cache off vs cache on, in one run.
 *
 * Setup per mode: a real Redis, the standalone simulator enforcing its documented rate limits
 * (10 calls/s for DescribeCertificates), 4 gateway processes configured like a deployment
 * (REDIS_URL shared, one key prefix per mode); "off" is `CACHE_TTL_SECONDS=0` (no read cache, no
 * coalescing: every client read spends an upstream call), "on" the defaults.
 *
 * - crowd: 400 identical GraphQL dashboard queries plus 400 mixed ones (10 distinct queries),
 *   all at once, spread round-robin over the 4 instances. Prints answers, RATE_LIMITED, upstream
 *   calls (from the simulator's log), the bound distinct reads x (1 + run time / fresh time), p50/p99.
 * - fairness: one caller runs 40 concurrent loops over distinct pages (nothing to cache); another
 *   sends one request every 500 ms, open loop (distinct pages too, so only the limiter's sharing can help).
 *   Prints the light caller's success rate and p99 latency. (Fair shares are the limiter's job.)
 * - read-after-write: a read through one instance (cached), a write through another, an
 *   immediate read through the first: must show the new value, every time.
 */
import { createDemoApiKey, formatApiKeys } from '../src/auth';
import { startRedis, type TestRedis } from '../test/helpers/redis';
import { spawnGateways, spawnSimulator, stopAll, type GatewayProcess, type SimulatorProcess } from '../test/helpers/fixture/processes';
import { printTable, saveResult } from './lib';

const INSTANCES = 4;
const FRESH_SECONDS = 5;

interface Outcome {
  ok: boolean;
  code?: string;
  /** `details.reason` of a gateway error (e.g. CALLER_QUEUE_FULL), to tell refusals apart. */
  reason?: string;
  ms: number;
}

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function graphql(url: string, key: string, query: string): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string; details?: { reason?: string } } }[] };
    const code = body.errors?.[0]?.extensions?.code;
    const reason = body.errors?.[0]?.extensions?.details?.reason;
    return { ok: res.status === 200 && !body.errors, code: code ?? (res.status === 200 ? undefined : `HTTP_${res.status}`), ...(reason === undefined ? {} : { reason }), ms: performance.now() - started };
  } catch (err) {
    return { ok: false, code: `FETCH_${(err as Error).name}`, ms: performance.now() - started };
  }
}

/** Failed outcomes by code and reason, e.g. `RATE_LIMITED (CALLER_QUEUE_FULL) 3`; "none" when all succeeded. */
function reasonsOf(outcomes: readonly Outcome[]): string {
  const counts = outcomes.filter((o) => !o.ok).reduce<Record<string, number>>((acc, o) => {
    const k = `${o.code ?? 'other'}${o.reason === undefined ? '' : ` (${o.reason})`}`;
    acc[k] = (acc[k] ?? 0) + 1;
    return acc;
  }, {});
  return Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
}

async function rest(url: string, key: string, action: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/actions/${action}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const dashboard = (offset: number) => `query Dashboard { certificates(limit: 5, offset: ${offset}) { totalCount certificates { certificateId domain status } } }`;

interface ModeResult {
  mode: string;
  crowd: Record<string, string | number>;
  fairness: Record<string, string | number>;
  readAfterWrite: Record<string, string | number>;
}

async function runMode(mode: 'off' | 'on', sim: SimulatorProcess, redis: TestRedis): Promise<ModeResult> {
  const keys = {
    crowd: createDemoApiKey({ id: 'crowd', scopes: ['read'] }),
    heavy: createDemoApiKey({ id: 'heavy', scopes: ['read'] }),
    light: createDemoApiKey({ id: 'light', scopes: ['read'] }),
    writer: createDemoApiKey({ id: 'writer', scopes: ['read', 'write'] }),
  };
  const env: Record<string, string> = {
    GATEWAY_ENV: 'test',
    LOG_LEVEL: 'warn',
    TENCENTCLOUD_SECRET_ID: sim.secretId,
    TENCENTCLOUD_SECRET_KEY: sim.secretKey,
    TENCENTCLOUD_SSL_ENDPOINT: sim.url,
    GATEWAY_API_KEYS: formatApiKeys(Object.values(keys).map((k) => k.entry)),
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `bench-budget-${mode}:`,
    ...(mode === 'off' ? { CACHE_TTL_SECONDS: '0' } : {}),
  };
  const gws: GatewayProcess[] = await spawnGateways(INSTANCES, env);
  try {
    // Warm-up: every instance has built its schema and connected (not counted).
    await Promise.all(gws.map((g) => graphql(g.url, keys.crowd.key, '{ __typename }')));
    await sleep(1_500);
    await sim.reset();

    // ---- crowd ----
    const started = performance.now();
    const requests: Promise<Outcome>[] = [];
    for (let i = 0; i < 800; i++) {
      const g = gws[i % INSTANCES];
      requests.push(graphql(g.url, keys.crowd.key, i < 400 ? dashboard(0) : dashboard(5 * (1 + (i % 10)))));
    }
    const outcomes = await Promise.all(requests);
    const seconds = (performance.now() - started) / 1000;
    const log = await sim.callLog('DescribeCertificates');
    const distinct = 11;
    const crowd = {
      mode,
      requests: outcomes.length,
      answers: outcomes.filter((o) => o.ok).length,
      RATE_LIMITED: outcomes.filter((o) => o.code === 'RATE_LIMITED').length,
      'other errors': outcomes.filter((o) => !o.ok && o.code !== 'RATE_LIMITED').length,
      'failure reasons': reasonsOf(outcomes),
      'upstream calls': log.length,
      'upstream RequestLimitExceeded': log.filter((c) => c.outcome.startsWith('RequestLimitExceeded')).length,
      'bound 11 x (1 + t/5s)': Math.floor(distinct * (1 + seconds / FRESH_SECONDS)),
      'p50 ms': pct(outcomes.map((o) => o.ms), 50),
      'p99 ms': pct(outcomes.map((o) => o.ms), 99),
      's': Math.round(seconds * 10) / 10,
      'Redis cache fallbacks': gws.reduce((n, g) => n + g.stdoutLines().filter((l) => l.includes('Redis cache store unavailable')).length, 0),
    };

    await sleep(1_500);
    await sim.reset();

    // ---- fairness ----
    const runFor = 10_000;
    const until = performance.now() + runFor;
    let page = 1_000;
    const heavy: Outcome[] = [];
    const loops = Array.from({ length: 40 }, async (_, l) => {
      while (performance.now() < until) heavy.push(await graphql(gws[l % INSTANCES].url, keys.heavy.key, dashboard(page++)));
    });
    const light: Outcome[] = [];
    // Open loop: a request every 500 ms whether or not the previous one was answered (20 in 10 s),
    // as a user's dashboard polls; a slow answer does not thin out the light caller's traffic.
    const lightLoop = (async () => {
      const sent: Promise<void>[] = [];
      const start = performance.now();
      for (let i = 0; start + i * 500 < until; i++) {
        await sleep(Math.max(0, start + i * 500 - performance.now()));
        sent.push(graphql(gws[i % INSTANCES].url, keys.light.key, dashboard(500_000 + i)).then((o) => void (light[i] = o)));
      }
      await Promise.all(sent);
    })();
    await Promise.all([...loops, lightLoop]);
    // Where the tail is, not only how long: every light request's latency in the order it was sent.
    console.log(`fairness, cache ${mode}: light caller's latency per request in send order (ms): ${light.map((o) => Math.round(o.ms)).join(' ')}`);
    const fairness = {
      mode,
      'light requests': light.length,
      'light success %': Math.round((1000 * light.filter((o) => o.ok).length) / Math.max(1, light.length)) / 10,
      'light p99 ms': pct(light.map((o) => o.ms), 99),
      'light failures': reasonsOf(light),
      'heavy requests': heavy.length,
      'heavy answers': heavy.filter((o) => o.ok).length,
      'heavy RATE_LIMITED': heavy.filter((o) => o.code === 'RATE_LIMITED').length,
    };

    await sleep(1_500);
    await sim.reset();

    // ---- read-after-write ----
    const list = await rest(gws[0].url, keys.writer.key, 'DescribeCertificates', { Limit: 100, Offset: 0 });
    const certId = String((list.json.Certificates as { CertificateId: string; Status: number }[]).find((c) => c.Status === 1)?.CertificateId);
    const aliasVia = async (g: GatewayProcess) => {
      const r = await rest(g.url, keys.writer.key, 'DescribeCertificates', { CertIds: [certId], Limit: 1, Offset: 0 });
      return (r.json.Certificates as { Alias: string }[] | undefined)?.[0]?.Alias;
    };
    const trials = 10;
    let fresh = 0;
    for (let i = 0; i < trials; i++) {
      const reader = gws[i % INSTANCES];
      const writer = gws[(i + 1) % INSTANCES];
      await aliasVia(reader);
      await aliasVia(reader); // cached now (with the cache on)
      const alias = `raw-${mode}-${i}`;
      const w = await rest(writer.url, keys.writer.key, 'ModifyCertificateAlias', { CertificateId: certId, Alias: alias }, { 'idempotency-key': `bench-${mode}-${i}-${Date.now()}` });
      if (w.status !== 200) throw new Error(`write failed: ${JSON.stringify(w.json)}`);
      if ((await aliasVia(reader)) === alias) fresh++;
    }
    const readAfterWrite = { mode, trials, 'fresh reads': fresh };
    return { mode, crowd, fairness, readAfterWrite };
  } finally {
    await stopAll(gws);
  }
}

export async function runBudgetBench(): Promise<void> {
  const redis = await startRedis();
  const sim = await spawnSimulator();
  try {
    const results: ModeResult[] = [];
    for (const mode of ['off', 'on'] as const) results.push(await runMode(mode, sim, redis));
    printTable(`budget: crowd (400 identical + 400 mixed over 10 queries, ${INSTANCES} instances, one Redis, simulator limits)`, results.map((r) => r.crowd));
    printTable('budget: fairness (40 loops of one caller vs one request / 500 ms of another, 10 s, distinct pages)', results.map((r) => r.fairness));
    printTable('budget: read-after-write (read via one instance, write via another, read again at once)', results.map((r) => r.readAfterWrite));
    saveResult('budget', { results });
  } finally {
    await sim.stop();
    await redis.stop();
  }
}
