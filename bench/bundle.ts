/**
 * Lambda artifacts: size and cold start of the gateway's bundles against a textbook baseline.
 *
 * 1. Runs the Lambda build (`buildLambda` from scripts/build-lambda.ts → dist/handlers, dist/lambda)
 *    and reports each handler bundle (minified bytes, gzip -9 bytes) and each zip.
 * 2. Rebuilds the gateway's handlers with bench/esbuild-options.ts and checks the output is
 *    byte-identical: the baseline below is bundled with those options, so this proves "same
 *    settings" instead of assuming it.
 * 3. Bundles the baseline (bench/baseline/handler.ts: Apollo Server 5 + @as-integrations/aws-lambda
 *    + the official tencentcloud-sdk-nodejs SslClient) into bench/.baseline/ the same way, and zips
 *    it with the build's deterministic zip writer.
 * 4. Cold start, N times each, alternating gateway and baseline: a fresh `node` process imports
 *    the bundled GraphQL handler and invokes it with an API Gateway v2 event carrying
 *    `{ certificates(limit: 1) { totalCount } }`, against a simulator in this process; the child
 *    prints import time, first-response time, a second (warm) response time and its RSS. Medians.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { buildLambda, FUNCTIONS, functionEsbuildOptions, ROOT } from '../scripts/build-lambda';
import { createDeterministicZip } from '../scripts/lambda-zip';
import { apiGatewayV2Event } from '../test/helpers/lambda-events';
import { build, lambdaEsbuildOptions } from './esbuild-options';
import { benchUpstream, CHILD_PRELUDE, median, printTable, saveResult } from './lib';

const BENCH_DIR = join(ROOT, 'bench');
const BASELINE_DIR = join(BENCH_DIR, '.baseline');
const CHECK_DIR = join(BENCH_DIR, '.out', 'bundle-check');
const QUERY = '{ certificates(limit: 1) { totalCount } }';
const MARK = '@@BENCH_RESULT@@';

/** Runs in the fresh child: import, first invocation, second invocation, then exit. */
const CHILD_SCRIPT = `
${CHILD_PRELUDE}
const first = await mod.handler(event, context);
const t2 = performance.now();
const second = await mod.handler({ ...event, requestContext: { ...event.requestContext, requestId: 'bench-2' } }, { ...context, awsRequestId: 'bench-2' });
const t3 = performance.now();
process.stdout.write('\\n${MARK}' + JSON.stringify({
  bootMs: t0, importMs: t1 - t0, firstResponseMs: t2 - t1, secondResponseMs: t3 - t2, rssBytes: process.memoryUsage().rss,
  status: first.statusCode, body: first.body, secondStatus: second.statusCode,
}) + '\\n');
process.exit(0);
`;

interface ColdStart {
  wallMs: number;
  bootMs: number;
  importMs: number;
  firstResponseMs: number;
  importPlusFirstMs: number;
  secondResponseMs: number;
  rssBytes: number;
}

function coldStart(bundle: string, env: Record<string, string>, event: unknown): Promise<ColdStart> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SCRIPT], {
    cwd: ROOT,
    env: { ...env, BENCH_HANDLER_URL: pathToFileURL(bundle).href, BENCH_EVENT: JSON.stringify(event) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || !line) return reject(new Error(`cold start of ${bundle}: exit ${code ?? signal}\n${err.slice(-2000)}\n${out.slice(-1000)}`));
      const r = JSON.parse(line.slice(MARK.length)) as Omit<ColdStart, 'wallMs' | 'importPlusFirstMs'> & { status: number; body: string; secondStatus: number };
      let body: { data?: { certificates?: { totalCount?: unknown } }; errors?: unknown };
      try {
        body = JSON.parse(r.body) as typeof body;
      } catch {
        body = {};
      }
      if (r.status !== 200 || r.secondStatus !== 200 || body.errors || typeof body.data?.certificates?.totalCount !== 'number') {
        return reject(new Error(`cold start of ${bundle}: unexpected answer ${r.status}: ${String(r.body).slice(0, 500)}`));
      }
      resolvePromise({
        wallMs,
        bootMs: r.bootMs,
        importMs: r.importMs,
        firstResponseMs: r.firstResponseMs,
        importPlusFirstMs: r.importMs + r.firstResponseMs,
        secondResponseMs: r.secondResponseMs,
        rssBytes: r.rssBytes,
      });
    });
  });
}

/** Output bytes per package (or top-level source folder) of one bundle, largest first. */
function topInputs(metafile: Metafile, output: string, n = 6): { input: string; bytes: number }[] {
  const out = Object.entries(metafile.outputs).find(([path]) => path.endsWith(output));
  if (!out) return [];
  const byGroup = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(out[1].inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    const group = pkg ? pkg[1] : path.split('/').slice(0, 2).join('/');
    byGroup.set(group, (byGroup.get(group) ?? 0) + bytesInOutput);
  }
  return [...byGroup.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([input, bytes]) => ({ input, bytes }));
}

const kib = (b: number): string => (b / 1024).toFixed(1);
const ms = (x: number): string => x.toFixed(1);
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

export async function runBundleBench(repeats = 5): Promise<unknown> {
  // 1. The real build.
  const built = await buildLambda();
  const sizes = built.functions.map((f) => {
    // The JavaScript a cold start loads: the entry and its chunks, the ioredis chunk apart (only
    // REDIS_URL loads it; see bundleFiles in scripts/build-lambda.ts).
    const atStart = f.jsFiles.filter((j) => !j.lazy).map((j) => ({ name: j.name, data: readFileSync(join(dirname(f.bundle), j.name.slice('handlers/'.length))) }));
    return {
      name: f.name,
      bundle: f.bundle,
      bundleBytes: f.startBytes,
      gzipBytes: atStart.reduce((n, j) => n + gzipSync(j.data, { level: 9 }).length, 0),
      zipBytes: f.zipBytes,
      zipFiles: f.files.length,
      // That JavaScript alone, zipped the same way (the graphql zip also carries the playground assets).
      zipBundleOnlyBytes: createDeterministicZip(atStart).length,
    };
  });

  // 2. Same settings? Rebuild with the bench's copy of the options and compare bytes.
  rmSync(CHECK_DIR, { recursive: true, force: true });
  const checks = await Promise.all(FUNCTIONS.map((fn) => build(functionEsbuildOptions(fn, { absWorkingDir: ROOT, outdir: CHECK_DIR }))));
  const check = { metafile: { inputs: {}, outputs: Object.assign({}, ...checks.map((c) => c.metafile.outputs)) } as Metafile };
  // Chunk names carry a hash that also covers their source maps, whose paths depend on the output
  // folder: compare the JavaScript with the hashes blanked out.
  const sameJs = (dir: string, fn: string): string =>
    readdirSync(dir)
      .filter((n) => n.startsWith(fn) && n.endsWith('.mjs'))
      .map((n) => readFileSync(join(dir, n), 'utf8').replace(/-chunk-[A-Z0-9]+\.mjs/g, '-chunk-H.mjs'))
      .sort()
      .join('\n');
  for (const f of built.functions) {
    if (sameJs(CHECK_DIR, f.name) !== sameJs(dirname(f.bundle), f.name)) {
      throw new Error(`bench/esbuild-options.ts no longer matches scripts/build-lambda.ts (${f.name}.mjs differs): update it so the baseline is bundled the same way`);
    }
  }

  // 3. The baseline, bundled and zipped the same way.
  rmSync(BASELINE_DIR, { recursive: true, force: true });
  mkdirSync(join(BASELINE_DIR, 'lambda'), { recursive: true });
  const baseBuild = await build(
    lambdaEsbuildOptions({ absWorkingDir: ROOT, entryPoints: { graphql: 'bench/baseline/handler.ts' }, outdir: join(BASELINE_DIR, 'handlers'), plugins: [] }),
  );
  const baseBundle = join(BASELINE_DIR, 'handlers', 'graphql.mjs');
  const baseCode = readFileSync(baseBundle);
  const baseZip = createDeterministicZip([{ name: 'handlers/graphql.mjs', data: baseCode }]);
  writeFileSync(join(BASELINE_DIR, 'lambda', 'graphql.zip'), baseZip);
  const baseline = {
    name: 'baseline graphql',
    bundle: baseBundle,
    bundleBytes: baseCode.length,
    gzipBytes: gzipSync(baseCode, { level: 9 }).length,
    zipBytes: baseZip.length,
    zipFiles: 1,
    zipBundleOnlyBytes: baseZip.length,
  };

  // 4. Cold starts against a simulator in this process.
  const { sim, apiKey, env } = await benchUpstream('bundle');
  const event = apiGatewayV2Event({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey.key },
    body: JSON.stringify({ query: QUERY }),
  });
  const gatewayBundle = built.functions.find((f) => f.name === 'graphql')!.bundle;
  const runs: { gateway: ColdStart[]; baseline: ColdStart[] } = { gateway: [], baseline: [] };
  try {
    for (let i = 0; i < repeats; i++) {
      // Alternating, so background load on a shared machine hits both alike.
      runs.gateway.push(await coldStart(gatewayBundle, env, event));
      runs.baseline.push(await coldStart(baseBundle, env, event));
    }
  } finally {
    await sim.close();
  }
  const med = (xs: ColdStart[], k: keyof ColdStart): number => median(xs.map((x) => x[k]));
  const summary = (xs: ColdStart[]) => ({
    importMs: med(xs, 'importMs'),
    firstResponseMs: med(xs, 'firstResponseMs'),
    importPlusFirstMs: med(xs, 'importPlusFirstMs'),
    secondResponseMs: med(xs, 'secondResponseMs'),
    wallMs: med(xs, 'wallMs'),
    bootMs: med(xs, 'bootMs'),
    rssBytes: med(xs, 'rssBytes'),
    minImportPlusFirstMs: Math.min(...xs.map((x) => x.importPlusFirstMs)),
  });
  const cold = { gateway: summary(runs.gateway), baseline: summary(runs.baseline) };

  const gql = sizes.find((s) => s.name === 'graphql')!;
  printTable(`Lambda artifacts (built in ${built.durationMs} ms; gzip level 9; zips from scripts/lambda-zip.ts)`, [
    ...sizes.map((s) => ({
      artifact: `dist/handlers/${s.name}.mjs and the chunks it loads at start`,
      'minified KiB': kib(s.bundleBytes),
      'gzip KiB': kib(s.gzipBytes),
      'zip KiB': kib(s.zipBytes),
      'zip files': s.zipFiles,
      'zip of bundle alone KiB': kib(s.zipBundleOnlyBytes),
    })),
    {
      artifact: 'baseline (bench/.baseline/handlers/graphql.mjs)',
      'minified KiB': kib(baseline.bundleBytes),
      'gzip KiB': kib(baseline.gzipBytes),
      'zip KiB': kib(baseline.zipBytes),
      'zip files': 1,
      'zip of bundle alone KiB': kib(baseline.zipBytes),
    },
    {
      artifact: 'ratio gateway graphql / baseline',
      'minified KiB': ratio(gql.bundleBytes, baseline.bundleBytes),
      'gzip KiB': ratio(gql.gzipBytes, baseline.gzipBytes),
      'zip KiB': ratio(gql.zipBytes, baseline.zipBytes),
      'zip files': '',
      'zip of bundle alone KiB': ratio(gql.zipBundleOnlyBytes, baseline.zipBytes),
    },
  ]);
  const row = (name: string, c: typeof cold.gateway) => ({
    handler: name,
    'import ms': ms(c.importMs),
    'first response ms': ms(c.firstResponseMs),
    'import + first ms': ms(c.importPlusFirstMs),
    'second response ms': ms(c.secondResponseMs),
    'min import + first ms': ms(c.minImportPlusFirstMs),
    'process wall ms': ms(c.wallMs),
    'RSS MiB': (c.rssBytes / 1024 / 1024).toFixed(1),
  });
  printTable(`Cold start of the bundled GraphQL handler: fresh node ${process.version} process, median of ${repeats}, API Gateway v2 event, query ${QUERY}`, [
    row('gateway dist/handlers/graphql.mjs', cold.gateway),
    row('baseline Apollo + aws-lambda + SDK', cold.baseline),
    {
      handler: 'ratio gateway / baseline',
      'import ms': ratio(cold.gateway.importMs, cold.baseline.importMs),
      'first response ms': ratio(cold.gateway.firstResponseMs, cold.baseline.firstResponseMs),
      'import + first ms': ratio(cold.gateway.importPlusFirstMs, cold.baseline.importPlusFirstMs),
      'second response ms': ratio(cold.gateway.secondResponseMs, cold.baseline.secondResponseMs),
      'min import + first ms': ratio(cold.gateway.minImportPlusFirstMs, cold.baseline.minImportPlusFirstMs),
      'process wall ms': ratio(cold.gateway.wallMs, cold.baseline.wallMs),
      'RSS MiB': ratio(cold.gateway.rssBytes, cold.baseline.rssBytes),
    },
  ]);
  const contents = {
    gateway: topInputs(check.metafile!, 'graphql.mjs'),
    baseline: topInputs(baseBuild.metafile!, 'graphql.mjs'),
  };
  printTable('Largest contributors to each GraphQL bundle (minified bytes in output)', [
    ...Array.from({ length: Math.max(contents.gateway.length, contents.baseline.length) }, (_, i) => ({
      gateway: contents.gateway[i] ? `${contents.gateway[i].input} ${kib(contents.gateway[i].bytes)} KiB` : '',
      baseline: contents.baseline[i] ? `${contents.baseline[i].input} ${kib(contents.baseline[i].bytes)} KiB` : '',
    })),
  ]);

  const result = {
    repeats,
    buildMs: built.durationMs,
    sizes: [...sizes.map((s) => ({ ...s, bundle: resolve(s.bundle).slice(ROOT.length + 1) })), { ...baseline, bundle: baseBundle.slice(ROOT.length + 1) }],
    sizeRatio: {
      bundle: gql.bundleBytes / baseline.bundleBytes,
      gzip: gql.gzipBytes / baseline.gzipBytes,
      zip: gql.zipBytes / baseline.zipBytes,
      zipBundleOnly: gql.zipBundleOnlyBytes / baseline.zipBytes,
    },
    coldStart: cold,
    coldStartRatio: {
      importMs: cold.gateway.importMs / cold.baseline.importMs,
      firstResponseMs: cold.gateway.firstResponseMs / cold.baseline.firstResponseMs,
      importPlusFirstMs: cold.gateway.importPlusFirstMs / cold.baseline.importPlusFirstMs,
      wallMs: cold.gateway.wallMs / cold.baseline.wallMs,
      rssBytes: cold.gateway.rssBytes / cold.baseline.rssBytes,
    },
    runs,
    contents,
  };
  saveResult('bundle', result);
  return result;
}
