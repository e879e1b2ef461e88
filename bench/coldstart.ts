/**
 * `npm run bench -- coldstart`: the Lambda functions' cold start, size and memory against a
 * hello-world app on the same stack (bench/baseline/hello-world.ts: @apollo/server +
 * @as-integrations/aws-lambda, graphql, undici, dataloader), measured in one run (issue 12).
 *
 * - Bundles: the real build (scripts/build-lambda.ts) and the hello-world app bundled with the
 *   same esbuild settings, without the gateway's own aliases (they fit the gateway's use of
 *   undici and Apollo, not an arbitrary app): the textbook way the issue's "before" was measured.
 *   The gateway's functions are split into ES module chunks; the size that is judged is the
 *   JavaScript a cold start loads (the entry, the chunks it imports, and the chunks of Apollo's
 *   own dynamic imports, which its start runs), because that is what a start reads, parses and
 *   compiles. The Redis chunks (the Redis-backed stores, ioredis) are left out of it: only
 *   REDIS_URL loads them (package.test.ts runs the bundles with them deleted). undici's chunk,
 *   which the upstream client imports on its first call, is counted in. The hello-world app is one file, all loaded at start. A second
 *   table gives each function's entry, chunks and total JavaScript in the zip, lazy chunk
 *   included, with that total's ratio too.
 * - Cold start: a fresh `node` process imports the bundle and answers one API Gateway v2 event;
 *   `import + first answer` to `{ __typename }`, gateway and hello-world interleaved, median of
 *   REPEATS (≥ 7) each. The gateway's first real query (`certificates` against the simulator,
 *   authenticated, signed, paced) is timed the same way in the same rounds.
 * - Memory: RSS after the first answer (medians of those runs), and RSS after 2,000 sequential
 *   `{ __typename }` invocations in one process, same loop for both (median of LOOP_REPEATS).
 *
 * Prints the before (issue 12's numbers) / after table with ratios and targets, and writes
 * bench/results/coldstart.json and bench/results/coldstart.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildLambda, ROOT } from '../scripts/build-lambda';
import { apiGatewayV2Event } from '../test/helpers/lambda-events';
import { build, lambdaEsbuildOptions } from './esbuild-options';
import { benchUpstream, CHILD_PRELUDE, median, printTable, resultsDir, saveResult } from './lib';

const REPEATS = Number(process.env.BENCH_COLDSTART_REPEATS ?? 9);
const LOOP_REPEATS = Number(process.env.BENCH_COLDSTART_LOOP_REPEATS ?? 3);
const LOOP = 2000;
const HELLO_DIR = join(ROOT, 'bench', '.coldstart');
const MARK = '@@COLDSTART@@';

/** Issue 12's measurements of the code before this work ("before" columns). */
const BEFORE = {
  coldStartMs: { gateway: '334–546', hello: '128–195', ratio: '2.6–2.8×' },
  graphqlKiB: { gateway: 3007, hello: 1503 },
  restKiB: { gateway: 3007, hello: 1503 },
  rssFirstMiB: { gateway: 125, hello: 82 },
  rssLoopMiB: { gateway: 196, hello: 99 },
};

const CHILD = `
${CHILD_PRELUDE}
const first = await mod.handler(event, context);
const t2 = performance.now();
const rssFirst = process.memoryUsage().rss;
const loop = Number(process.env.BENCH_LOOP || 0);
let bad = 0;
for (let i = 1; i <= loop; i++) {
  const id = 'bench-' + i;
  const r = await mod.handler({ ...event, requestContext: { ...event.requestContext, requestId: id } }, { ...context, awsRequestId: id });
  if (r.statusCode !== 200) bad++;
}
process.stdout.write('\\n${MARK}' + JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, rssFirst, rssLoop: process.memoryUsage().rss, status: first.statusCode, body: first.body, bad }) + '\\n');
process.exit(0);
`;

interface Run {
  importMs: number;
  firstMs: number;
  coldMs: number;
  rssFirst: number;
  rssLoop: number;
}

function runChild(bundle: string, env: Record<string, string>, event: unknown, expect: (body: string) => boolean, loop = 0): Promise<Run> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: ROOT,
    env: { ...env, BENCH_HANDLER_URL: pathToFileURL(bundle).href, BENCH_EVENT: JSON.stringify(event), BENCH_LOOP: String(loop) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    // Request log lines (2,000 in a loop) are not kept, only the result line.
    const s = c.toString('utf8');
    if (s.includes(MARK) || out.length < 4096) out += s;
    else if (s.includes('@@')) out += s;
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(MARK));
      if (code !== 0 || !line) return reject(new Error(`${bundle}: exit ${code ?? signal}\n${err.slice(-2000)}\n${out.slice(-1000)}`));
      const r = JSON.parse(line.slice(MARK.length)) as Omit<Run, 'coldMs'> & { status: number; body: string; bad: number };
      if (r.status !== 200 || r.bad !== 0 || !expect(r.body)) return reject(new Error(`${bundle}: unexpected answer ${r.status} (${r.bad} bad in loop): ${String(r.body).slice(0, 300)}`));
      resolvePromise({ importMs: r.importMs, firstMs: r.firstMs, coldMs: r.importMs + r.firstMs, rssFirst: r.rssFirst, rssLoop: r.rssLoop });
    });
  });
}

const kib = (b: number) => b / 1024;
const mib = (b: number) => b / 1024 / 1024;
const x = (r: number) => `${r.toFixed(2)}×`;

export async function runColdStartBench(): Promise<unknown> {
  const built = await buildLambda();
  const gqlBundle = built.functions.find((f) => f.name === 'graphql')!;
  const restBundle = built.functions.find((f) => f.name === 'rest')!;

  rmSync(HELLO_DIR, { recursive: true, force: true });
  mkdirSync(HELLO_DIR, { recursive: true });
  // The same esbuild settings as the gateway's bundles (minified, tree-shaken, node22 ESM, and the
  // define with which undici's experimental parser is left out, as Node's own build of undici
  // does), without the gateway's module substitutions (scripts/lambda-shims), which are written
  // for the gateway's own use of those packages: the textbook app, bundled the same way.
  await build(lambdaEsbuildOptions({ absWorkingDir: ROOT, entryPoints: { hello: 'bench/baseline/hello-world.ts' }, outdir: HELLO_DIR, plugins: [] }));
  const helloBundle = join(HELLO_DIR, 'hello.mjs');
  const helloBytes = readFileSync(helloBundle).length;

  const { sim, apiKey, env } = await benchUpstream('coldstart');
  const gqlEvent = (query: string) =>
    apiGatewayV2Event({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', 'x-api-key': apiKey.key }, body: JSON.stringify({ query }) });
  const typename = gqlEvent('{ __typename }');
  const certificates = gqlEvent('{ certificates(limit: 1) { totalCount certificates { certificateId domain } } }');
  const isTypename = (body: string) => JSON.parse(body).data?.__typename === 'Query';
  const isCertificates = (body: string) => typeof JSON.parse(body).data?.certificates?.totalCount === 'number';

  const runs = { gateway: [] as Run[], hello: [] as Run[], gatewayCertificates: [] as Run[], gatewayLoop: [] as Run[], helloLoop: [] as Run[] };
  try {
    for (let i = 0; i < REPEATS; i++) {
      // Interleaved, so background load on a shared machine hits both alike.
      runs.gateway.push(await runChild(gqlBundle.bundle, env, typename, isTypename));
      runs.hello.push(await runChild(helloBundle, env, typename, isTypename));
      runs.gatewayCertificates.push(await runChild(gqlBundle.bundle, env, certificates, isCertificates));
    }
    for (let i = 0; i < LOOP_REPEATS; i++) {
      runs.gatewayLoop.push(await runChild(gqlBundle.bundle, env, typename, isTypename, LOOP));
      runs.helloLoop.push(await runChild(helloBundle, env, typename, isTypename, LOOP));
    }
  } finally {
    await sim.close();
  }
  const med = (rs: Run[], k: keyof Run) => median(rs.map((r) => r[k]));
  const after = {
    coldStartMs: { gateway: med(runs.gateway, 'coldMs'), hello: med(runs.hello, 'coldMs') },
    importMs: { gateway: med(runs.gateway, 'importMs'), hello: med(runs.hello, 'importMs') },
    certificatesColdMs: med(runs.gatewayCertificates, 'coldMs'),
    // Judged: the JavaScript a cold start without Redis loads (see the module comment).
    graphqlKiB: { gateway: kib(gqlBundle.startBytes), hello: kib(helloBytes) },
    restKiB: { gateway: kib(restBundle.startBytes), hello: kib(helloBytes) },
    rssFirstMiB: { gateway: mib(med(runs.gateway, 'rssFirst')), hello: mib(med(runs.hello, 'rssFirst')) },
    rssLoopMiB: { gateway: mib(med(runs.gatewayLoop, 'rssLoop')), hello: mib(med(runs.helloLoop, 'rssLoop')) },
  };
  const ratio = (m: { gateway: number; hello: number }) => m.gateway / m.hello;
  const targets = { coldStart: 1.0, graphql: 0.8, rest: 0.35, rssFirst: 1.1, rssLoop: 1.2 };
  const rows = [
    { measure: `cold start: import + first answer to \`{ __typename }\`, median of ${REPEATS} interleaved fresh processes (ms)`, before: BEFORE.coldStartMs, m: after.coldStartMs, target: targets.coldStart, digits: 0 },
    { measure: 'GraphQL bundle (KiB of JavaScript a cold start loads; the REDIS_URL-only chunks, Redis stores and ioredis, apart)', before: { ...BEFORE.graphqlKiB, ratio: x(3007 / 1503) }, m: after.graphqlKiB, target: targets.graphql, digits: 0 },
    { measure: 'REST bundle (KiB of JavaScript a cold start loads, as above; no graphql, no Apollo)', before: { ...BEFORE.restKiB, ratio: x(3007 / 1503) }, m: after.restKiB, target: targets.rest, digits: 0 },
    { measure: 'RSS after the first answer (MiB)', before: { ...BEFORE.rssFirstMiB, ratio: x(125 / 82) }, m: after.rssFirstMiB, target: targets.rssFirst, digits: 1 },
    { measure: `RSS after ${LOOP} sequential invocations, one process (MiB; median of ${LOOP_REPEATS})`, before: { ...BEFORE.rssLoopMiB, ratio: x(196 / 99) }, m: after.rssLoopMiB, target: targets.rssLoop, digits: 1 },
  ];
  const table = rows.map((r) => ({
    measure: r.measure,
    'before gateway': String(r.before.gateway),
    'before hello-world': String(r.before.hello),
    'before ratio': 'ratio' in r.before ? String(r.before.ratio) : '',
    'after gateway': r.m.gateway.toFixed(r.digits),
    'after hello-world': r.m.hello.toFixed(r.digits),
    'after ratio': x(ratio(r.m)),
    target: `≤ ${r.target.toFixed(2)}×`,
    met: ratio(r.m) <= r.target ? 'yes' : 'NO',
  }));
  const title = `Cold start, size and memory vs a hello-world app on the same stack (node ${process.version}, ${REPEATS} interleaved rounds)`;
  printTable(title, table);
  const extra = [
    { measure: 'import alone (ms, median)', gateway: after.importMs.gateway.toFixed(0), 'hello-world': after.importMs.hello.toFixed(0) },
    { measure: 'first real query: import + first answer to `certificates` against the simulator (ms, median)', gateway: after.certificatesColdMs.toFixed(0), 'hello-world': '—' },
  ];
  printTable('Also measured', extra);

  // Each function's JavaScript files: what the judged size above is made of, and what is not in it.
  const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  const bundleRows = [gqlBundle, restBundle].map((f) => {
    const chunksAtStart = f.jsFiles.slice(1).filter((j) => !j.lazy);
    const lazy = f.jsFiles.filter((j) => j.lazy);
    const target = f.name === 'graphql' ? targets.graphql : targets.rest;
    return {
      function: f.name,
      'entry (KiB)': kib(f.bundleBytes).toFixed(0),
      'chunks loaded at start (KiB)': `${kib(chunksAtStart.reduce((n, j) => n + j.bytes, 0)).toFixed(0)} (${files(chunksAtStart.length)})`,
      'JS loaded at start (KiB; judged)': `${kib(f.startBytes).toFixed(0)} = ${x(f.startBytes / helloBytes)} hello`,
      'lazy chunks, REDIS_URL only (KiB)': `${kib(f.lazyBytes).toFixed(0)} (${files(lazy.length)})`,
      'all JS in the zip (KiB)': `${kib(f.totalJsBytes).toFixed(0)} = ${x(f.totalJsBytes / helloBytes)} hello${f.totalJsBytes / helloBytes <= target ? '' : ` (over ${target.toFixed(2)}×)`}`,
      'zip (KiB)': kib(f.zipBytes).toFixed(0),
    };
  });
  bundleRows.push({
    function: 'hello-world',
    'entry (KiB)': kib(helloBytes).toFixed(0),
    'chunks loaded at start (KiB)': '0 (one file)',
    'JS loaded at start (KiB; judged)': kib(helloBytes).toFixed(0),
    'lazy chunks, REDIS_URL only (KiB)': '—',
    'all JS in the zip (KiB)': kib(helloBytes).toFixed(0),
    'zip (KiB)': '—',
  });
  const filesTitle = 'Bundle files per function (the size row above judges the JS a cold start loads: the Redis-backed stores and ioredis, loaded only with REDIS_URL, are chunks a start without Redis never reads; undici\'s chunk, loaded on the first upstream call, is counted as loaded at start)';
  printTable(filesTitle, bundleRows);

  const lines = [`## ${title}`, '', `| ${Object.keys(table[0]).join(' | ')} |`, `|${Object.keys(table[0]).map(() => '---').join('|')}|`];
  for (const t of table) lines.push(`| ${Object.values(t).join(' | ')} |`);
  lines.push('', '## Also measured', '', `| ${Object.keys(extra[0]).join(' | ')} |`, `|${Object.keys(extra[0]).map(() => '---').join('|')}|`);
  for (const e of extra) lines.push(`| ${Object.values(e).join(' | ')} |`);
  lines.push('', `## ${filesTitle}`, '', `| ${Object.keys(bundleRows[0]).join(' | ')} |`, `|${Object.keys(bundleRows[0]).map(() => '---').join('|')}|`);
  for (const f of bundleRows) lines.push(`| ${Object.values(f).join(' | ')} |`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'coldstart.md'), `${lines.join('\n')}\n`);
  const bundles = Object.fromEntries(
    [gqlBundle, restBundle].map((f) => [
      f.name,
      { entryBytes: f.bundleBytes, startBytes: f.startBytes, lazyBytes: f.lazyBytes, totalJsBytes: f.totalJsBytes, zipBytes: f.zipBytes, files: f.jsFiles.map((j) => ({ name: j.name, bytes: j.bytes, lazy: j.lazy })) },
    ]),
  );
  const result = { repeats: REPEATS, loop: LOOP, loopRepeats: LOOP_REPEATS, before: BEFORE, after, bundles, helloBytes, ratios: Object.fromEntries(rows.map((r, i) => [['coldStart', 'graphql', 'rest', 'rssFirst', 'rssLoop'][i], ratio(r.m)])), targets, runs };
  saveResult('coldstart', result);
  return result;
}
