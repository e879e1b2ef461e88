/**
 * The deployable artifact, end to end: esbuild builds the zips, `osls package` turns
 * serverless.yml into a CloudFormation template offline, and the handlers EXTRACTED FROM THE ZIPS
 * answer real API Gateway v1/v2 and ALB events against the simulator.
 *
 * The bundles are configured as deployed: from the environment, with a client API key in
 * `GATEWAY_API_KEYS` (its hash only) that the requests present in `x-api-key`, as a client would.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambda, FUNCTIONS, functionEsbuildOptions, ROOT, type BuildResult, type BuiltFunction, type BundleFile } from '../../../scripts/build-lambda';
import { createDemoApiKey, formatApiKeys } from '../../../src/auth';
import { createRestHandler } from '../../../src/rest';
import { createSimulator, DEMO_CREDENTIAL, type Simulator } from '../../../src/simulator/index';
import type { UpstreamCaller } from '../../../src/upstream/caller';
import { EVENT_KINDS, httpEvent, lambdaContext, normalizeResult, type EventKind, type HttpRequestSpec } from '../../helpers/lambda-events';
import { startRedis, type TestRedis } from '../../helpers/redis';
import { extractZip, unzip } from './unzip';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const CERTS_QUERY = '{ certificates(limit: 3) { totalCount certificates { certificateId domain } } }';
const ENV_KEYS = ['TENCENTCLOUD_SSL_ENDPOINT', 'TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', 'GATEWAY_AUTH', 'GATEWAY_API_KEYS', 'RATE_LIMIT_OVERRIDES'] as const;
/** The client's API key (every scope); the functions know only its SHA-256. */
const CLIENT = createDemoApiKey({ id: 'package-test' });
const AUTH = { 'x-api-key': CLIENT.key };

let work: string;
let build: BuildResult;
let sim: Simulator;
let graphql: Handler;
let rest: Handler;
const savedEnv: Record<string, string | undefined> = {};
const timings: Record<string, number> = {};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ssl-gateway-lambda-'));
  let t = performance.now();
  build = await buildLambda({ outDir: join(work, 'dist') });
  timings.buildMs = Math.round(performance.now() - t);

  // Run what Lambda runs: the zips' contents, unpacked elsewhere (no node_modules anywhere near).
  for (const fn of build.functions) extractZip(readFileSync(fn.zip), join(work, 'task', fn.name));

  sim = await createSimulator({ port: 0, credentials: [DEMO_CREDENTIAL] });
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  // The bundles read their configuration from the environment on the first invocation.
  process.env.TENCENTCLOUD_SSL_ENDPOINT = sim.url;
  process.env.TENCENTCLOUD_SECRET_ID = DEMO_CREDENTIAL.secretId;
  process.env.TENCENTCLOUD_SECRET_KEY = DEMO_CREDENTIAL.secretKey;
  process.env.GATEWAY_AUTH = 'required';
  process.env.GATEWAY_API_KEYS = formatApiKeys([CLIENT.entry]);
  // Two functions, each with its own in-process limiter and no Redis, share the account's
  // documented 10/s for DescribeCertificates: each takes half, as such a deployment must.
  process.env.RATE_LIMIT_OVERRIDES = 'DescribeCertificates=5';

  t = performance.now();
  graphql = (await nativeImport(pathToFileURL(join(work, 'task', 'graphql', 'handlers', 'graphql.mjs')).href)).handler as Handler;
  rest = (await nativeImport(pathToFileURL(join(work, 'task', 'rest', 'handlers', 'rest.mjs')).href)).handler as Handler;
  timings.importMs = Math.round(performance.now() - t);
  t = performance.now();
  await invoke(graphql, 'apigw-v2', { method: 'GET', path: '/graphql', headers: { accept: 'application/json', ...AUTH } });
  await invoke(rest, 'apigw-v2', { method: 'GET', path: '/healthz' });
  timings.firstInvocationsMs = Math.round(performance.now() - t);
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  console.info(`lambda package timings: ${JSON.stringify(timings)}`);
});

/**
 * Loads a bundle with Node's own module loader, as Lambda does: an `import()` written in this file
 * would go through vitest's module transform (seconds for a 2.7 MB bundle, and not what runs in
 * production). Node 22 can `require()` an ES module that has no top-level await.
 */
async function nativeImport(url: string): Promise<Record<string, unknown>> {
  return createRequire(import.meta.url)(fileURLToPath(url)) as Record<string, unknown>;
}

async function invoke(handler: Handler, kind: EventKind, spec: HttpRequestSpec) {
  return normalizeResult(await handler(httpEvent(kind, spec), lambdaContext()));
}

const gql = (query: string, base64 = false): HttpRequestSpec => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', accept: 'application/json', ...AUTH },
  body: JSON.stringify({ query }),
  base64,
});

describe('artifact', () => {
  it('zips each function\'s bundle and chunks, the playground and API reference files only where served, all world-readable', () => {
    const [gq, rs] = ['graphql', 'rest'].map((name) => build.functions.find((f) => f.name === name)!);
    const chunks = (fn: BuiltFunction) => fn.jsFiles.slice(1).map((f) => f.name);
    for (const fn of [gq, rs]) {
      expect(fn.jsFiles[0]).toMatchObject({ name: `handlers/${fn.name}.mjs`, lazy: false });
      for (const chunk of chunks(fn)) expect(chunk).toMatch(new RegExp(`^handlers/${fn.name}-chunk-[A-Z0-9]+\\.mjs$`));
    }
    const gqEntries = unzip(readFileSync(gq.zip));
    expect(gqEntries.map((e) => e.name).sort()).toEqual(
      [
        'handlers/graphql.mjs',
        ...chunks(gq),
        'handlers/playground/graphiql.min.css',
        'handlers/playground/graphiql.min.js',
        'handlers/playground/react-dom.production.min.js',
        'handlers/playground/react.production.min.js',
      ].sort(),
    );
    const rsEntries = unzip(readFileSync(rs.zip));
    expect(rsEntries.map((e) => e.name).sort()).toEqual(['handlers/docs/openapi.json', 'handlers/docs/redoc.standalone.js', 'handlers/rest.mjs', ...chunks(rs)].sort());
    expect(gqEntries.every((e) => e.mode === 0o644)).toBe(true);
    expect(rsEntries.every((e) => e.mode === 0o644)).toBe(true);
    // Far below Lambda's 50 MB zipped / 250 MB unzipped limits.
    for (const fn of build.functions) expect(fn.zipBytes).toBeLessThan(10 * 1024 * 1024);
  });

  it('bundles each surface alone: the REST function has no graphql and no Apollo, the GraphQL function no REST facade', () => {
    const [gq, rs] = ['graphql', 'rest'].map((name) => build.functions.find((f) => f.name === name)!);
    const pkg = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    const restPackages = new Set(rs.inputs.map(pkg));
    for (const name of ['graphql', '@apollo/server', '@as-integrations/aws-lambda', 'dataloader']) expect(restPackages.has(name), name).toBe(false);
    expect(rs.inputs.filter((i) => /^src\/(graphql\/(server|executable|generated)|playground|app\/graphql)/.test(i))).toEqual([]);
    expect(gq.inputs.filter((i) => /^src\/(rest|app\/rest)\//.test(i) || i === 'src/app/rest.ts')).toEqual([]);
    expect(gq.inputs).toContain('src/graphql/generated/schema-document.ts');
  });

  it('leaves out what the gateway never uses: undici beyond its pool and request, Apollo reporting, schema building at start-up', () => {
    for (const fn of build.functions) {
      const used = fn.inputs.filter((i) => /node_modules\/(undici\/lib\/(mock|cache|milo|interceptor|web\/(websocket|eventsource|cache|cookies))\/|@apollo\/usage-reporting-protobuf|@apollo\/protobufjs|@graphql-tools\/)/.test(i));
      expect(used, fn.name).toEqual([]);
    }
  });

  it('starts without loading what it never uses: neither Node\'s internal undici (an ESM import of node:http loads it) nor sha.js', async () => {
    for (const fn of build.functions) expect(fn.inputs.filter((i) => /node_modules\/sha\.js\//.test(i)), fn.name).toEqual([]);
    // An ALB event: its answer carries the status text, read from node:http.
    const runs = [
      { bundle: join(work, 'task', 'graphql', 'handlers', 'graphql.mjs'), event: httpEvent('alb', gql('{ __typename }')) },
      { bundle: join(work, 'task', 'rest', 'handlers', 'rest.mjs'), event: httpEvent('alb', { method: 'GET', path: '/healthz' }) },
    ];
    for (const { bundle, event } of runs) {
      const res = await runOnce(bundle, event, `process.moduleLoadList.filter((m) => m.includes('internal/deps/undici'))`);
      expect(res.status, res.output).toBe(200);
      expect(res.statusDescription).toBe('200 OK');
      expect(res.probe, bundle).toEqual([]);
    }
  }, 60_000);

  it('answers `{ __typename }` without loading undici (nor node:http and node:assert, which it requires); the first upstream query loads them', async () => {
    const bundle = join(work, 'task', 'graphql', 'handlers', 'graphql.mjs');
    // node:assert: undici's, and sonic-boom's (pino's stdout stream), which the bundle requires on first use.
    const http = `process.moduleLoadList.filter((m) => /^NativeModule (_?http|assert)\\b/.test(m))`;
    const typename = await runOnce(bundle, httpEvent('apigw-v2', gql('{ __typename }')), http);
    expect(typename.status, typename.output).toBe(200);
    expect(typename.probe).toEqual([]);
    const upstream = await runOnce(bundle, httpEvent('apigw-v2', gql('{ certificates(limit: 1) { totalCount } }')), http);
    expect(upstream.status, upstream.output).toBe(200);
    expect(upstream.probe).toEqual(expect.arrayContaining(['NativeModule http', 'NativeModule assert']));
  }, 60_000);

  it('leaves out undici\'s non-SIMD parser, HTTP/2 client and fetch bodies, pino\'s transports, and the full spec texts', () => {
    for (const fn of build.functions) {
      const used = fn.inputs.filter((i) =>
        /node_modules\/(undici\/lib\/(llhttp\/llhttp-wasm\.js|dispatcher\/client-h2\.js|web\/)|thread-stream\/|pino\/lib\/transport\.js)|^spec\/(ssl-2019-12-05|en)\.json$/.test(i),
      );
      expect(used, fn.name).toEqual([]);
      // The SIMD parser, which Lambda's x86_64 and arm64 Node 22 run, is there.
      expect(fn.inputs.some((i) => i.endsWith('undici/lib/llhttp/llhttp_simd-wasm.js')), fn.name).toBe(true);
      expect(fn.inputs, fn.name).toEqual(expect.arrayContaining(['spec/runtime/ssl-2019-12-05.json', 'spec/runtime/en.json']));
    }
    const rs = build.functions.find((f) => f.name === 'rest')!;
    expect(rs.inputs.filter((i) => /^src\/rest\/(openapi|schemas|routes\/query-docs)\.ts$/.test(i))).toEqual([]);
  });

  it('puts ioredis in a chunk only a dynamic import reaches: the entry and its static chunks hold none of it', () => {
    for (const fn of build.functions) {
      const redis = (f: BundleFile) => f.inputs.some((i) => /node_modules\/(ioredis|@ioredis\/commands)\//.test(i));
      const holding = fn.jsFiles.filter(redis);
      expect(holding.length, fn.name).toBeGreaterThan(0);
      for (const f of holding) expect(f, fn.name).toMatchObject({ lazy: true });
      expect(fn.startBytes + fn.lazyBytes).toBe(fn.totalJsBytes);
      expect(fn.startBytes).toBe(fn.jsFiles.filter((f) => !f.lazy).reduce((n, f) => n + f.bytes, 0));
    }
  });

  it('puts the Redis-backed stores, limiter and fair queue in lazy chunks too: a start without REDIS_URL neither reads nor compiles them', () => {
    const redisOnly = /^src\/(app\/redis-backends|upstream\/(redis-[a-z-]+|shared-fair-limiter|cache\/redis-store)|idempotency\/redis-store)\.ts$/;
    for (const fn of build.functions) {
      const holding = fn.jsFiles.filter((f) => f.inputs.some((i) => redisOnly.test(i)));
      expect(holding.map((f) => f.inputs.filter((i) => redisOnly.test(i))).flat().sort(), fn.name).toEqual([
        'src/app/redis-backends.ts',
        'src/idempotency/redis-store.ts',
        'src/upstream/cache/redis-store.ts',
        'src/upstream/redis-client.ts',
        'src/upstream/redis-driver.ts',
        'src/upstream/redis-fair-queue.ts',
        'src/upstream/redis-ratelimit.ts',
        'src/upstream/redis-script.ts',
        'src/upstream/shared-fair-limiter.ts',
      ]);
      for (const f of holding) expect(f, fn.name).toMatchObject({ lazy: true });
    }
  });

  it('binds every ES module to graphql through one facade and bundles one Apollo build: no per-module copy of graphql\'s exports, no second ApolloServer', async () => {
    const gq = build.functions.find((f) => f.name === 'graphql')!;
    // The integration's require('@apollo/server') (for HeaderMap) gets the ES module build the gateway imports.
    expect(gq.inputs.filter((i) => /node_modules\/@apollo\/server\/dist\/cjs\//.test(i))).toEqual([]);
    expect(gq.inputs.some((i) => /node_modules\/@apollo\/server\/dist\/esm\/ApolloServer\.js$/.test(i))).toBe(true);
    // The same build's module graph: only the facade and CommonJS packages reach graphql's index itself.
    const res = await esbuild(functionEsbuildOptions(FUNCTIONS.find((f) => f.name === 'graphql')!, { absWorkingDir: ROOT, outdir: join(work, 'graph'), write: false }));
    const direct = Object.entries(res.metafile.inputs).flatMap(([input, { imports }]) =>
      imports.filter((i) => /node_modules\/graphql\/index\.js$/.test(i.path) && i.kind !== 'require-call').map((i) => `${input} (${i.kind})`),
    );
    expect(direct).toEqual([]);
    const viaFacade = Object.entries(res.metafile.inputs).filter(([, { imports }]) => imports.some((i) => i.path === 'ssl-gateway-graphql-facade:graphql'));
    expect(viaFacade.map(([input]) => input)).toEqual(expect.arrayContaining(['src/graphql/server.ts', expect.stringMatching(/@apollo\/server\/dist\/esm\/ApolloServer\.js$/)]));
  });

  it('builds byte-identical zips from the same sources', async () => {
    const again = await buildLambda({ outDir: join(work, 'dist-again') });
    for (const fn of build.functions) {
      const twin = again.functions.find((f) => f.name === fn.name)!;
      expect(readFileSync(twin.zip).equals(readFileSync(fn.zip))).toBe(true);
    }
  });

  it('bundles no simulator code and no demo credentials', () => {
    for (const fn of build.functions) {
      const code = readFileSync(fn.bundle, 'utf8');
      expect(code).not.toContain(DEMO_CREDENTIAL.secretKey);
      expect(code).not.toContain('__simulator');
    }
  });

  it('`osls package` turns serverless.yml into a CloudFormation template without network or AWS credentials', async () => {
    const service = join(work, 'service');
    cpSync(join(ROOT, 'serverless.yml'), join(service, 'serverless.yml'));
    cpSync(join(work, 'dist', 'lambda'), join(service, 'dist', 'lambda'), { recursive: true });
    const t = performance.now();
    const { code, output } = await runOsls(['package', '--stage', 'prod'], service);
    timings.oslsPackageMs = Math.round(performance.now() - t);
    expect(code, output).toBe(0);

    const template = JSON.parse(readFileSync(join(service, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'));
    const resources = template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
    const fns = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fns.map((f) => f.Properties.Handler).sort()).toEqual(['handlers/graphql.handler', 'handlers/rest.handler']);
    // The sizes the memory test below runs the bundles with (see the header of serverless.yml).
    expect(Object.fromEntries(fns.map((f) => [f.Properties.Handler, f.Properties.MemorySize]))).toEqual({
      'handlers/graphql.handler': memorySizeOf('graphql'),
      'handlers/rest.handler': memorySizeOf('rest'),
    });
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 28 });
      const env = fn.Properties.Environment.Variables;
      expect(env.TENCENTCLOUD_SECRET_KEY).toBe('{{resolve:secretsmanager:ssl-gateway/prod/tencentcloud:SecretString:secretKey}}');
      expect(env).toMatchObject({ NODE_ENV: 'production', GATEWAY_ENV: 'production', GRAPHQL_PLAYGROUND: 'false' });
      // Client authentication on, with the key hashes from Secrets Manager (never in the template).
      expect(env.GATEWAY_AUTH).toBe('required');
      expect(env.GATEWAY_API_KEYS).toBe('{{resolve:secretsmanager:ssl-gateway/prod/api-keys:SecretString}}');
    }
    const logGroups = Object.values(resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups.map((g) => g.Properties.RetentionInDays)).toEqual([14, 14]);
    const routes = Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual(['ANY /v1/{proxy+}', 'GET /graphql', 'GET /graphql/assets/{file}', 'GET /healthz', 'OPTIONS /graphql', 'POST /graphql']);
  }, 90_000);
});

describe('memory sizes of serverless.yml', () => {
  // 1,000 invocations each, mostly without upstream calls: the simulator's per-second budget is
  // shared with the other tests; what grows with traffic (Apollo's caches, loaders, logs) is
  // exercised either way, and each kind of answer at least ten times.
  it('runs the GraphQL function within its memory size: POST and GET queries and an upstream query, 1,000 invocations as deployed (production settings)', async () => {
    const events = [
      ...Array.from({ length: 97 }, (_, i) => httpEvent('apigw-v2', gql(i % 2 ? '{ __typename }' : `{ t${i}: __typename }`))),
      httpEvent('apigw-v2', gql('query Many { a: __typename b: __typename c: __typename d: __typename e: __typename }')),
      httpEvent('apigw-v2', { method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}`, headers: { accept: 'application/json', 'apollo-require-preflight': 'true', ...AUTH } }),
      httpEvent('apigw-v2', gql(CERTS_QUERY)),
    ];
    const memory = memorySizeOf('graphql');
    const res = await runUnderMemoryLimit(join(work, 'task', 'graphql', 'handlers', 'graphql.mjs'), memory, events, 10);
    expect(res.code, res.output).toBe(0);
    timings.graphqlMaxRssMiB = Math.round(res.maxRssMiB);
    expect(res.maxRssMiB).toBeLessThan(memory);
  }, 120_000);

  it('runs the REST function within its memory size: health, OpenAPI, the HTML reference and an action, 1,000 invocations as deployed (production settings)', async () => {
    const events = [
      ...Array.from({ length: 47 }, () => httpEvent('apigw-v2', { method: 'GET', path: '/healthz' })),
      httpEvent('apigw-v2', { method: 'GET', path: '/v1/openapi.json', headers: { accept: 'application/json', ...AUTH } }),
      httpEvent('apigw-v2', { method: 'GET', path: '/v1/docs', headers: { accept: 'text/html', ...AUTH } }),
      httpEvent('apigw-v2', { method: 'POST', path: '/v1/actions/DescribeCertificates', headers: { 'content-type': 'application/json', ...AUTH }, body: JSON.stringify({ Limit: 1 }) }),
    ];
    const memory = memorySizeOf('rest');
    const res = await runUnderMemoryLimit(join(work, 'task', 'rest', 'handlers', 'rest.mjs'), memory, events, 20);
    expect(res.code, res.output).toBe(0);
    timings.restMaxRssMiB = Math.round(res.maxRssMiB);
    expect(res.maxRssMiB).toBeLessThan(memory);
  }, 120_000);
});

describe('Redis support, loaded only with REDIS_URL (the lazy Redis chunks: the stores and ioredis)', () => {
  let redis: TestRedis;
  let stripped: string;
  beforeAll(async () => {
    redis = await startRedis();
    // The extracted zips without their lazy chunks: what a start that never reads them has.
    stripped = join(work, 'task-without-lazy-chunks');
    for (const fn of build.functions) {
      cpSync(join(work, 'task', fn.name), join(stripped, fn.name), { recursive: true });
      for (const f of fn.jsFiles.filter((j) => j.lazy)) rmSync(join(stripped, fn.name, f.name));
    }
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Each function's upstream query (DescribeCertificates), as a client sends it. */
  const upstreamQueries = {
    graphql: httpEvent('apigw-v2', gql('{ certificates(limit: 1) { totalCount } }')),
    rest: httpEvent('apigw-v2', { method: 'GET', path: '/v1/certificates?limit=1', headers: { accept: 'application/json', ...AUTH } }),
  };

  it('without REDIS_URL a cold start never reads the lazy chunks: both bundles answer upstream queries with them deleted', async () => {
    for (const fn of build.functions) {
      const bundle = join(stripped, fn.name, 'handlers', `${fn.name}.mjs`);
      const res = await runUnderMemoryLimit(bundle, memorySizeOf(fn.name), [upstreamQueries[fn.name as 'graphql' | 'rest']], 1);
      expect(res.code, `${fn.name}: ${res.output}`).toBe(0);
    }
  }, 60_000);

  it('with REDIS_URL both bundles load the ioredis chunk and keep the shared limiter and cache in Redis', async () => {
    const client = new Redis(redis.url);
    try {
      for (const fn of build.functions) {
        const prefix = `package-${fn.name}:`;
        const bundle = join(work, 'task', fn.name, 'handlers', `${fn.name}.mjs`);
        const res = await runUnderMemoryLimit(bundle, memorySizeOf(fn.name), [upstreamQueries[fn.name as 'graphql' | 'rest']], 1, { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix });
        expect(res.code, `${fn.name}: ${res.output}`).toBe(0);
        const keys = await client.keys(`${prefix}*`);
        expect(keys.some((k) => k.startsWith(`${prefix}ratelimit:`)), `${fn.name}: ${keys.join(', ')}`).toBe(true);
        expect(keys.some((k) => k.startsWith(`${prefix}cache:`)), `${fn.name}: ${keys.join(', ')}`).toBe(true);

        // The same start without the lazy chunks fails on the first invocation: the chunk is what REDIS_URL loads.
        const without = await runUnderMemoryLimit(join(stripped, fn.name, 'handlers', `${fn.name}.mjs`), memorySizeOf(fn.name), [upstreamQueries[fn.name as 'graphql' | 'rest']], 1, {
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: `${prefix}stripped:`,
        });
        expect(without.code, fn.name).not.toBe(0);
        expect(without.output, fn.name).toMatch(new RegExp(`ERR_MODULE_NOT_FOUND|Cannot find module .*${fn.name}-chunk-`));
      }
    } finally {
      client.disconnect();
    }
  }, 60_000);
});

describe.each(EVENT_KINDS)('bundled handlers, %s events', (kind) => {
  it('GraphQL: a query returns certificates from the upstream', async () => {
    const res = await invoke(graphql, kind, gql(CERTS_QUERY));
    expect(res.status, res.text).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
    const body = JSON.parse(res.text);
    expect(body.errors).toBeUndefined();
    expect(body.data.certificates.totalCount).toBeGreaterThan(0);
    expect(body.data.certificates.certificates).toHaveLength(3);
    expect(body.data.certificates.certificates[0]).toEqual({ certificateId: expect.any(String), domain: expect.any(String) });
  });

  it('GraphQL: a base64-encoded body is decoded', async () => {
    const res = await invoke(graphql, kind, gql('{ certificates(limit: 1) { certificates { certificateId } } }', true));
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text).data.certificates.certificates).toHaveLength(1);
  });

  it('GraphQL: GET with the operation in the query string', async () => {
    const res = await invoke(graphql, kind, {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('{ certificates(limit: 2, searchKey: "example") { certificates { domain } } }')}`,
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true', ...AUTH },
    });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text).data.certificates.certificates).toHaveLength(2);
  });

  it('GraphQL: malformed JSON is a 400 with a GraphQL error body', async () => {
    const res = await invoke(graphql, kind, { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', ...AUTH }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('REST: GET /v1/certificates lists certificates', async () => {
    const res = await invoke(rest, kind, { method: 'GET', path: '/v1/certificates?limit=2', headers: { accept: 'application/json', ...AUTH } });
    expect(res.status, res.text).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.Certificates).toHaveLength(2);
    expect(body.TotalCount).toBeGreaterThan(2);
  });

  it('REST: a base64 JSON body reaches the action', async () => {
    const res = await invoke(rest, kind, {
      method: 'POST',
      path: '/v1/actions/DescribeCertificates',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ Limit: 1 }),
      base64: true,
    });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text).Certificates).toHaveLength(1);
  });

  it('unknown paths are 404 with the JSON error body', async () => {
    for (const [handler, path] of [
      [rest, '/v1/no-such-route'],
      [rest, '/nope'],
      [graphql, '/graphql/elsewhere/x'],
    ] as const) {
      const res = await invoke(handler, kind, { method: 'GET', path, headers: { accept: 'application/json', ...AUTH } });
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.text).error.code).toBe('NOT_FOUND');
    }
  });

  it('refuses GraphQL and REST calls without a key: 401 with WWW-Authenticate, in each surface\'s error shape', async () => {
    const unauthenticated = [
      [graphql, { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: CERTS_QUERY }) }],
      [graphql, { method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}`, headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } }],
      [rest, { method: 'GET', path: '/v1/certificates?limit=2', headers: { accept: 'application/json' } }],
      [rest, { method: 'POST', path: '/v1/actions/DescribeCertificates', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Limit: 1 }), base64: true }],
    ] as const;
    for (const [handler, spec] of unauthenticated) {
      const res = await invoke(handler, kind, spec);
      expect(res.status, `${spec.method} ${spec.path}: ${res.text}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="ssl-gateway"');
      expect(res.headers['cache-control']).toBe('no-store');
      const body = JSON.parse(res.text);
      if (handler === graphql) {
        expect(body.data).toBeUndefined();
        expect(body.errors).toHaveLength(1);
        expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      } else {
        expect(body.error.code).toBe('UNAUTHENTICATED');
        expect(body.error.requestId).toEqual(expect.any(String));
      }
      expect(res.text).not.toContain(CLIENT.key);
    }
  });

  it('refuses an unknown key (401, invalid_token) and accepts the key as a bearer token', async () => {
    const stranger = createDemoApiKey().key;
    for (const headers of [{ 'x-api-key': stranger }, { authorization: `Bearer ${stranger}` }] as Record<string, string>[]) {
      const res = await invoke(rest, kind, { method: 'GET', path: '/v1/certificates?limit=1', headers });
      expect(res.status, res.text).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="ssl-gateway", error="invalid_token"/);
      expect(JSON.parse(res.text).error.code).toBe('UNAUTHENTICATED');
      expect(res.text).not.toContain(stranger);
    }
    const gq = await invoke(graphql, kind, { ...gql('{ certificates(limit: 1) { totalCount } }'), headers: { 'content-type': 'application/json', 'x-api-key': stranger } });
    expect(gq.status, gq.text).toBe(401);
    expect(gq.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(JSON.parse(gq.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    // The configured key as a bearer token (no upstream call: the simulator's per-second budget
    // is shared by both functions and the other tests).
    const bearer = await invoke(graphql, kind, { ...gql('{ __typename }'), headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT.key}` } });
    expect(bearer.status, bearer.text).toBe(200);
    expect(JSON.parse(bearer.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('needs no key for /healthz, the playground page and its files', async () => {
    const health = await invoke(rest, kind, { method: 'GET', path: '/healthz' });
    expect(health.status).toBe(200);
    expect(health.headers['www-authenticate']).toBeUndefined();
    const page = await invoke(graphql, kind, { method: 'GET', path: '/graphql', headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // A deployed page has no key pre-filled (the key exists only as a hash in the configuration),
    // only a template in the header the gateway accepts.
    expect(page.text).toContain('&quot;x-api-key&quot;: &quot;&lt;your key&gt;&quot;');
    expect(page.text).not.toContain(CLIENT.key);
    const asset = await invoke(graphql, kind, { method: 'GET', path: '/graphql/assets/react.production.min.js' });
    expect(asset.status).toBe(200);
    expect(asset.headers['www-authenticate']).toBeUndefined();
  });

  it('GET /healthz reports the upstream mode', async () => {
    const res = await invoke(rest, kind, { method: 'GET', path: '/healthz' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok', upstream: { mode: 'simulator' } });
  });

  it('answers in the shape of the event (ALB multi-value targets read only multiValueHeaders)', async () => {
    const raw = (await rest(httpEvent(kind, { method: 'GET', path: '/healthz' }), lambdaContext())) as Record<string, unknown>;
    const res = normalizeResult(raw);
    const expected = { 'apigw-v2': 'headers', 'apigw-v1': 'multiValueHeaders', alb: 'headers', 'alb-multi': 'multiValueHeaders' }[kind];
    expect(res.headerField).toBe(expected);
    if (kind.startsWith('alb')) expect(raw.statusDescription).toBe('200 OK');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('serves /v1/docs, its Redoc bundle and /v1/openapi.json from the artifact, without a key', async () => {
    const page = await invoke(rest, kind, { method: 'GET', path: '/v1/docs', headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('docs/assets/redoc.standalone.js');
    const js = await invoke(rest, kind, { method: 'GET', path: '/v1/docs/assets/redoc.standalone.js', headers: { 'accept-encoding': 'gzip' } });
    expect(js.status).toBe(200);
    const { gunzipSync } = await import('node:zlib');
    const source = gunzipSync(js.body).toString('utf8');
    expect(source).toContain('Redoc');
    expect(source).not.toContain('cdn.redoc.ly');
    const doc = await invoke(rest, kind, { method: 'GET', path: '/v1/openapi.json' });
    expect(doc.status).toBe(200);
    expect(JSON.parse(doc.text).openapi).toMatch(/^3\.1/);
  });

  it('serves the OpenAPI document made at build time: the same bytes as the in-process REST facade, and the same reference page', async () => {
    for (const path of ['/v1/openapi.json', '/v1/docs', '/v1/docs/']) {
      const bundled = await invoke(rest, kind, { method: 'GET', path, headers: { accept: path === '/v1/openapi.json' ? 'application/json' : 'text/html' } });
      expect(bundled.status, path).toBe(200);
      const local = await inProcessRest({ method: 'GET', path, query: {}, headers: {}, requestId: 'local' });
      expect(local.status, path).toBe(200);
      expect(bundled.text, path).toBe(local.body);
    }
  });

  it('REST answers the action list and refuses invalid parameters exactly like the in-process facade (the compact runtime spec validates the same)', async () => {
    const cases: { method: string; path: string; body?: unknown }[] = [
      { method: 'GET', path: '/v1/actions' },
      { method: 'POST', path: '/v1/actions/ApplyCertificate', body: { DvAuthMethod: 'EMAIL', DomainName: 7, Unknown: 1 } },
      { method: 'POST', path: '/v1/actions/DescribeCertificates', body: { Limit: 5000, CertificateStatus: [99], Deployable: 'yes' } },
      { method: 'POST', path: '/v1/actions/DescribeDeployedResources', body: { CertificateIds: Array.from({ length: 60 }, (_, i) => `c${i}`), ResourceType: 'nope' } },
      { method: 'POST', path: '/v1/actions/UploadCertificate', body: { CertificatePublicKey: 'x', Tags: [{ TagKey: 1 }] } },
      { method: 'POST', path: '/v1/actions/NoSuchAction', body: {} },
      { method: 'GET', path: '/v1/certificates?limit=5000&status=1,99' },
      { method: 'GET', path: '/v1/bind-resource-tasks/t1/detail?limit=101&resourceTypes=clb,nope' },
    ];
    const withoutRequestId = (text: string) => text.replace(/"requestId":"[^"]*"/g, '"requestId":"-"');
    const statuses: number[] = [];
    for (const c of cases) {
      const body = c.body === undefined ? undefined : JSON.stringify(c.body);
      const headers = { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) };
      const bundled = await invoke(rest, kind, { method: c.method, path: c.path, headers: { ...headers, ...AUTH }, body });
      const [path, qs] = c.path.split('?');
      const query = Object.fromEntries(new URLSearchParams(qs ?? ''));
      const local = await inProcessRest({ method: c.method, path, query, headers, body: body === undefined ? undefined : Buffer.from(body), requestId: 'local' });
      expect(bundled.status, `${c.method} ${c.path}: ${bundled.text}`).toBe(local.status);
      expect(withoutRequestId(bundled.text), `${c.method} ${c.path}`).toBe(withoutRequestId(local.body));
      statuses.push(bundled.status);
    }
    // Refused before any upstream call: the validator's answers, field paths included.
    expect(statuses).toEqual([200, 400, 400, 400, 400, 404, 400, 400]);
  });

  it('serves the playground page and its files from the artifact', async () => {
    const page = await invoke(graphql, kind, { method: 'GET', path: '/graphql', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('graphql/assets/graphiql.min.js');
    const js = await invoke(graphql, kind, { method: 'GET', path: '/graphql/assets/graphiql.min.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(js.status).toBe(200);
    expect(js.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(js.body).toString('utf8')).toContain('GraphiQL');
  });
});

/**
 * The REST facade running from source, in this process (full spec, document rendered on demand):
 * what the local server and the other tests serve. The meta routes make no upstream call.
 */
const noUpstream: UpstreamCaller = {
  call: () => Promise.reject(new Error('no upstream call expected')),
};
const inProcessRest = createRestHandler({ upstream: noUpstream });

/** A function's `memorySize` in serverless.yml (the provider's when the function has none). */
function memorySizeOf(name: string): number {
  const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
  const block = new RegExp(`\\n  ${name}:\\n((?:    .*\\n|\\s*\\n)+)`).exec(yml.slice(yml.indexOf('\nfunctions:')))?.[1] ?? '';
  const own = /^    memorySize: (\d+)/m.exec(block)?.[1];
  const provider = /^  memorySize: (\d+)/m.exec(yml.slice(yml.indexOf('\nprovider:'), yml.indexOf('\nfunctions:')))?.[1];
  return Number(own ?? provider);
}

/**
 * Runs a bundle extracted from its zip in a fresh process limited as Lambda limits a function of
 * `memoryMb` (V8's old space at 90 % of it, as the nodejs runtime sets it): every event answered
 * 200, `rounds` times over; returns the peak RSS in MiB.
 */
function runUnderMemoryLimit(
  bundle: string,
  memoryMb: number,
  events: unknown[],
  rounds: number,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; maxRssMiB: number; output: string }> {
  const script = `
    const mod = await import(process.env.BUNDLE_URL);
    const events = JSON.parse(process.env.EVENTS);
    for (let i = 0; i < Number(process.env.ROUNDS); i++) {
      for (const e of events) {
        const r = await mod.handler(e, { awsRequestId: 'mem-' + i, getRemainingTimeInMillis: () => 28000 });
        if (r.statusCode !== 200) { console.error('status ' + r.statusCode + ': ' + String(r.body).slice(0, 300)); process.exit(2); }
      }
    }
    console.log('@@' + JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
    // A Redis connection (REDIS_URL) would keep the process alive.
    process.exit(0);
  `;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', GATEWAY_ENV: 'production', LOG_LEVEL: 'warn' };
  for (const key of ENV_KEYS) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  Object.assign(env, extraEnv, { BUNDLE_URL: pathToFileURL(bundle).href, EVENTS: JSON.stringify(events), ROUNDS: String(rounds) });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${Math.floor(memoryMb * 0.9)}`, '--input-type=module', '-e', script], { env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('@@'));
      resolve({ code, maxRssMiB: line ? (JSON.parse(line.slice(2)) as { maxRssMiB: number }).maxRssMiB : Number.NaN, output: output.slice(-2000) });
    });
  });
}

/**
 * Imports a bundle in a fresh process, answers one event, and evaluates `probe` (an expression)
 * afterwards: what a cold start leaves loaded.
 */
function runOnce(bundle: string, event: unknown, probe: string): Promise<{ status?: number; statusDescription?: string; probe?: unknown; output: string }> {
  const script = `
    const mod = await import(process.env.BUNDLE_URL);
    const r = await mod.handler(JSON.parse(process.env.EVENT), { awsRequestId: 'once', getRemainingTimeInMillis: () => 28000 });
    console.log('@@' + JSON.stringify({ status: r.statusCode, statusDescription: r.statusDescription, probe: ${probe} }));
  `;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', GATEWAY_ENV: 'production', LOG_LEVEL: 'warn' };
  for (const key of ENV_KEYS) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  Object.assign(env, { BUNDLE_URL: pathToFileURL(bundle).href, EVENT: JSON.stringify(event) });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', () => {
      const line = output.split('\n').find((l) => l.startsWith('@@'));
      resolve({ ...(line ? JSON.parse(line.slice(2)) : {}), output: output.slice(-2000) });
    });
  });
}

function runOsls(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  // A clean environment: no AWS or Tencent credentials, and a dead proxy so any network use fails.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: join(cwd, '.home'),
    SLS_TELEMETRY_DISABLED: '1',
    HTTP_PROXY: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://127.0.0.1:9',
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), ...args], { cwd, env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}
