/**
 * Builds the Lambda artifacts that `serverless.yml` deploys, with esbuild and no network:
 *
 *   dist/handlers/graphql.mjs, dist/handlers/rest.mjs   one minified ESM bundle per function,
 *   dist/handlers/<function>-chunk-*.mjs                and its chunks (the Redis-backed stores and
 *                                                       ioredis: loaded only with REDIS_URL; see
 *                                                       `bundleFiles`)
 *   dist/handlers/playground/*                          GraphiQL + React UMD files for the playground
 *   dist/handlers/docs/*                                the Redoc bundle of the API reference (/v1/docs)
 *                                                       and the OpenAPI document, made here
 *   dist/lambda/graphql.zip, dist/lambda/rest.zip        the deployable artifacts (deterministic)
 *   dist/lambda/meta.json                               bundle files and sizes
 *
 * Every dependency is bundled (tree-shaken); nothing is left to node_modules at runtime, because
 * the artifact has none. Only what the Lambda runtime itself provides may stay external
 * (`@aws-sdk/*`; the gateway uses none today). The build fails when a bundle pulls in a dev-only
 * module (the simulator, test helpers, devDependencies).
 *
 * Usage: `npx tsx scripts/build-lambda.ts [--out dist] [--no-minify]`, then `npx osls package`.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions as EsbuildOptions, type Metafile, type Plugin, type PluginBuild } from 'esbuild';
import { createRequire } from 'node:module';
import { BUNDLED_ASSET_DIR, PLAYGROUND_FILES, locatePlaygroundFile } from '../src/playground/assets';
import { DOCS_ASSET_DIR, DOCS_FILES, locateDocsFile } from '../src/rest/docs';
import { OPENAPI_ARTIFACT } from './lambda-shims/rest-openapi';
import { createDeterministicZip, type ZipInput } from './lambda-zip';

const SHIMS = join(dirname(fileURLToPath(import.meta.url)), 'lambda-shims');

/**
 * What the bundles leave out, by substituting a module at resolution time (each shim in
 * scripts/lambda-shims/ says why): undici's index (only Pool, the connector and `request` are
 * used), its non-SIMD llhttp parser, HTTP/2 client and FormData support; pino's worker-thread
 * transports and sonic-boom's eager node:assert; Apollo's reporting plugins with their
 * protobuf/fetch polyfills and its pure-JavaScript sha256 fallback; and @graphql-tools/schema
 * (the schema is built at build time).
 * Only the Lambda bundles see these; tests and the local server load the real packages, and
 * test/integration/handlers/package.test.ts runs the bundles.
 */
export const lambdaAliases: Plugin = {
  name: 'ssl-gateway-lambda-aliases',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: join(SHIMS, 'undici.cjs') }));
    b.onResolve({ filter: /^@graphql-tools\/schema$/ }, () => ({ path: join(SHIMS, 'graphql-tools-schema.cjs') }));
    b.onResolve({ filter: /^@apollo\/utils\.createhash$/ }, () => ({ path: join(SHIMS, 'apollo-createhash.cjs') }));
    b.onResolve({ filter: /\/plugin\/(usageReporting|schemaReporting|inlineTrace)\/index\.js$/ }, (args) =>
      /[\\/]@apollo[\\/]server[\\/]/.test(args.importer) ? { path: join(SHIMS, 'apollo-reporting.mjs') } : undefined,
    );
    // Each only for the named importer, so a shim replaces exactly the require it explains.
    const only = (importer: RegExp, shim: string) => (args: { importer: string }) => (importer.test(args.importer) ? { path: join(SHIMS, shim) } : undefined);
    const clientH1 = /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client-h1\.js$/;
    b.onResolve({ filter: /^\.\.\/llhttp\/llhttp-wasm\.js$/ }, only(clientH1, 'undici-llhttp-wasm.cjs'));
    b.onResolve({ filter: /^\.\.\/web\/fetch\/body\.js$/ }, only(clientH1, 'undici-web-fetch.cjs'));
    b.onResolve({ filter: /^\.\/client-h2\.js$/ }, only(/[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/, 'undici-client-h2.cjs'));
    b.onResolve({ filter: /^\.\.\/web\/(fetch\/formdata|webidl)$/ }, only(/[\\/]undici[\\/]lib[\\/]core[\\/]request\.js$/, 'undici-web-fetch.cjs'));
    b.onResolve({ filter: /^\.\/(lib\/)?transport$/ }, only(/[\\/]pino[\\/](pino|lib[\\/]tools)\.js$/, 'pino-transport.cjs'));
    b.onResolve({ filter: /^assert$/ }, only(/[\\/]sonic-boom[\\/]index\.js$/, 'sonic-boom-assert.cjs'));
    graphqlFacade(b);
    oneApolloBuild(b);
  },
};

const GRAPHQL_FACADE = 'ssl-gateway-graphql-facade';

/**
 * Every ES module of the bundle (the gateway's own, Apollo's) imports `graphql` through one ES
 * module that takes graphql's exports by name, once. Imported straight from an ES module,
 * graphql's CommonJS build (the one realm all share, see `mainFields`) is wrapped by esbuild in a
 * `__toESM` call per importing file, each copying all of its ~400 exports onto a new object as
 * getters: 35 copies at start (and one more for Apollo's `import('graphql')` on the first
 * request), several milliseconds of a cold start. Through the facade each module binds to its
 * constants. The names are read from the installed package at build time, so a static import
 * of a name graphql lacks still fails the build. `require('graphql')` (CommonJS packages) is
 * left as it is: it takes the exports object itself.
 */
function graphqlFacade(b: PluginBuild): void {
  b.onResolve({ filter: /^graphql$/ }, (args) => (args.kind === 'import-statement' || args.kind === 'dynamic-import' ? { path: 'graphql', namespace: GRAPHQL_FACADE } : undefined));
  b.onLoad({ filter: /.*/, namespace: GRAPHQL_FACADE }, () => {
    const names = Object.keys(createRequire(join(ROOT, 'package.json'))('graphql') as object).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
    return { contents: `const __graphqlExports = require('graphql');\nexport const { ${names.join(', ')} } = __graphqlExports;\n`, loader: 'js', resolveDir: ROOT };
  });
}

/**
 * One build of Apollo Server: the gateway imports its ES module build, and
 * @as-integrations/aws-lambda `require`s it only for `HeaderMap`, which would load and run its
 * CommonJS build as well (about 60 KiB more, a second ApolloServer evaluated at import). The
 * integration's `require('@apollo/server')` gets the ES module build too.
 */
function oneApolloBuild(b: PluginBuild): void {
  b.onResolve({ filter: /^@apollo\/server$/ }, async (args) => {
    if (args.kind !== 'require-call' || !/[\\/]@as-integrations[\\/]aws-lambda[\\/]/.test(args.importer)) return undefined;
    const esm = await b.resolve('@apollo/server', { kind: 'import-statement', resolveDir: args.resolveDir });
    return esm.errors.length > 0 ? { errors: esm.errors } : { path: esm.path };
  });
}

/**
 * The REST function's OpenAPI document is made at build time (`buildLambda` writes it into the
 * zip), so its bundle leaves out the document's builder and the query documentation of the
 * routes, which are used only to render it (each shim says why).
 */
export const restOpenApi: Plugin = {
  name: 'ssl-gateway-rest-openapi',
  setup(b) {
    const inRest = (importer: string) => /[\\/]src[\\/]rest[\\/]/.test(importer);
    b.onResolve({ filter: /^\.\.?\/openapi$/ }, (args) => (inRest(args.importer) ? { path: join(SHIMS, 'rest-openapi.ts') } : undefined));
    b.onResolve({ filter: /^\.\/query-docs$/ }, (args) => (inRest(args.importer) ? { path: join(SHIMS, 'rest-query-docs.cjs') } : undefined));
  },
};

const RUNTIME_SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'spec', 'runtime');
const RUNTIME_FORM = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'spec', 'runtime-form.ts');

/**
 * Both functions load the compact runtime spec (spec/runtime/*.json, generated from spec/*.json
 * by `npm run runtime:generate`) instead of the full one: names, types, caps, limits, read/write
 * kind, enum values and names, action summaries. The documentation text stays out (about 600
 * KiB): GraphQL's lives in the SDL, REST's in the OpenAPI document that `buildLambda` renders
 * at build time into the zip (see `restOpenApi`). The files are in the form of
 * src/spec/runtime-form.ts (defaults left out, members positional), decoded at load into
 * exactly the objects `compactSpec`/`compactEnglish` build; the JSON is read with `JSON.parse`
 * of one string, which the engine does several times faster than compiling an object literal.
 */
export const runtimeSpec: Plugin = {
  name: 'ssl-gateway-runtime-spec',
  setup(b) {
    b.onResolve({ filter: /(^|\/)spec\/(ssl-2019-12-05|en)\.json$/ }, (args) =>
      args.importer.startsWith(RUNTIME_SPEC_DIR) ? undefined : { path: join(RUNTIME_SPEC_DIR, args.path.replace(/^.*\//, '')) },
    );
    b.onLoad({ filter: /[\\/]spec[\\/]runtime[\\/][^\\/]+\.json$/ }, (args) => {
      const text = JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8')));
      const decode = args.path.endsWith('en.json') ? 'decodeRuntimeEnglish' : 'decodeRuntimeSpec';
      return {
        contents: `import { ${decode} } from ${JSON.stringify(RUNTIME_FORM)};\nexport default ${decode}(JSON.parse(${JSON.stringify(text)}));`,
        loader: 'js',
        resolveDir: dirname(RUNTIME_FORM),
      };
    });
  },
};

/**
 * The esbuild settings of the Lambda bundles (also used by the benchmarks to bundle their
 * baseline the same way). `overrides` adds entry points and output paths.
 */
export function lambdaEsbuildOptions(overrides: EsbuildOptions = {}): EsbuildOptions & { metafile: true } {
  return {
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    treeShaking: true,
    // Separate .map files for debugging a stack trace; they are not put in the zips.
    sourcemap: 'external',
    legalComments: 'none',
    logLevel: 'warning',
    // Provided by the nodejs22.x runtime; nothing else is external.
    external: ['@aws-sdk/*'],
    // Bundled CommonJS dependencies (graphql, undici, ...) call require() for Node built-ins.
    banner: { js: "import { createRequire as __sslGatewayCreateRequire } from 'node:module'; const require = __sslGatewayCreateRequire(import.meta.url);" },
    // One graphql realm: the CommonJS build, as Node resolves it for every package (see vitest.config.ts).
    mainFields: ['main', 'module'],
    plugins: [lambdaAliases],
    // As Node's own build of undici does: leaves out the experimental Milo HTTP parser (about
    // 150 KiB; undici uses it only when asked to), keeping llhttp.
    define: { esbuildDetection: 'true' },
    ...overrides,
    metafile: true,
  };
}

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The functions, their entry points, and whether they serve the playground or the API reference
 * (the REST function: its Redoc bundle and the build-time OpenAPI document, see `restOpenApi`).
 * Both load the compact runtime spec (see `runtimeSpec`).
 */
export const FUNCTIONS = [
  { name: 'graphql', entry: 'handlers/graphql.ts', playground: true, docs: false },
  { name: 'rest', entry: 'handlers/rest.ts', playground: false, docs: true },
] as const;

export type LambdaFunction = (typeof FUNCTIONS)[number];

/** The esbuild settings of one function's bundle (each function is built on its own). */
export function functionEsbuildOptions(fn: LambdaFunction, overrides: EsbuildOptions = {}): EsbuildOptions & { metafile: true } {
  return lambdaEsbuildOptions({
    entryPoints: { [fn.name]: fn.entry },
    // ESM chunks: what only a dynamic import() reaches (the Redis-backed stores and ioredis,
    // needed only with REDIS_URL) is a file of its own in the zip, read only when that import
    // runs. Named after the function so the two builds, which share an output folder, never
    // write the same file.
    splitting: true,
    chunkNames: `${fn.name}-chunk-[hash]`,
    plugins: fn.docs ? [lambdaAliases, runtimeSpec, restOpenApi] : [lambdaAliases, runtimeSpec],
    ...overrides,
  });
}

export interface BuildOptions {
  /** Output root. @default `<repo>/dist` */
  outDir?: string;
  /** @default true */
  minify?: boolean;
}

/** One JavaScript file of a function's bundle (the entry or a chunk esbuild split off). */
export interface BundleFile {
  /** Path inside the zip (`handlers/<file>`). */
  name: string;
  bytes: number;
  /**
   * True for a chunk only the dynamic `import()` of the Redis backends or of ioredis reaches
   * (done only with REDIS_URL): a cold start without Redis never reads it. False for the entry,
   * the chunks it imports statically, the chunks of Apollo's own dynamic imports, which its start
   * runs, and undici's, which the first upstream call imports.
   */
  lazy: boolean;
  /** The source files and packages' files in it (esbuild's metafile inputs). */
  inputs: string[];
}

export interface BuiltFunction {
  name: string;
  /** Absolute path of the entry bundle (`dist/handlers/<name>.mjs`). */
  bundle: string;
  /** Absolute path of the zip (`dist/lambda/<name>.zip`). */
  zip: string;
  /** Size of the entry bundle alone. */
  bundleBytes: number;
  /** What a cold start without Redis loads: every file but the lazy chunks. */
  startBytes: number;
  /** The lazy chunks (Redis-backed stores, ioredis): loaded only when REDIS_URL is set. */
  lazyBytes: number;
  /** All JavaScript in the zip (`startBytes + lazyBytes`). */
  totalJsBytes: number;
  /** Every JavaScript file of the function, the entry first. */
  jsFiles: BundleFile[];
  zipBytes: number;
  /** Files inside the zip. */
  files: string[];
  /** The source files and packages' files all of the function's JavaScript is made of. */
  inputs: string[];
}

export interface BuildResult {
  outDir: string;
  functions: BuiltFunction[];
  durationMs: number;
}

/** Inputs that must never reach a deployed bundle. */
const FORBIDDEN_INPUTS = [/^src\/simulator\//, /^src\/dev\//, /^test\//, /^scripts\/(?!lambda-shims\/)/];

function devDependencyNames(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  return Object.keys(pkg.devDependencies ?? {}).filter((name) => name !== '@types/aws-lambda' && name !== '@types/node');
}

function forbiddenInputs(metafile: Metafile): string[] {
  const dev = devDependencyNames();
  return Object.keys(metafile.inputs).filter((input) => {
    if (FORBIDDEN_INPUTS.some((re) => re.test(input))) return true;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    return m !== null && dev.includes(m[1]);
  });
}

export async function buildLambda(options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const outDir = resolve(options.outDir ?? join(ROOT, 'dist'));
  const handlersDir = join(outDir, 'handlers');
  const zipDir = join(outDir, 'lambda');
  rmSync(handlersDir, { recursive: true, force: true });
  rmSync(zipDir, { recursive: true, force: true });
  mkdirSync(handlersDir, { recursive: true });
  mkdirSync(zipDir, { recursive: true });

  const results = await Promise.all(
    FUNCTIONS.map((fn) => build(functionEsbuildOptions(fn, { absWorkingDir: ROOT, outdir: handlersDir, minify: options.minify ?? true }))),
  );
  const result = {
    metafile: {
      inputs: Object.assign({}, ...results.map((r) => r.metafile.inputs)) as Metafile['inputs'],
      outputs: Object.assign({}, ...results.map((r) => r.metafile.outputs)) as Metafile['outputs'],
    },
  };

  const bad = forbiddenInputs(result.metafile);
  if (bad.length > 0) throw new Error(`dev-only modules in the Lambda bundle: ${bad.slice(0, 10).join(', ')}`);

  const assetDir = join(handlersDir, BUNDLED_ASSET_DIR);
  mkdirSync(assetDir, { recursive: true });
  const assetInputs: ZipInput[] = PLAYGROUND_FILES.map((file) => {
    const target = join(assetDir, file.name);
    copyFileSync(locatePlaygroundFile(file), target);
    return { name: `handlers/${BUNDLED_ASSET_DIR}/${file.name}`, data: readFileSync(target) };
  });

  const docsDir = join(handlersDir, DOCS_ASSET_DIR);
  mkdirSync(docsDir, { recursive: true });
  const docsInputs: ZipInput[] = DOCS_FILES.map((file) => {
    const target = join(docsDir, file.name);
    copyFileSync(locateDocsFile(file), target);
    return { name: `handlers/${DOCS_ASSET_DIR}/${file.name}`, data: readFileSync(target) };
  });

  // The OpenAPI document the REST function serves, rendered here in-process from the full spec
  // (what the local server serves); the bundle reads it from the zip (lambda-shims/rest-openapi.ts).
  const { REST_ROUTES, buildOpenApiDocument } = await import('../src/rest');
  const openApiText = JSON.stringify(buildOpenApiDocument(REST_ROUTES));
  writeFileSync(join(handlersDir, OPENAPI_ARTIFACT), openApiText);
  const openApiInput: ZipInput = { name: `handlers/${OPENAPI_ARTIFACT}`, data: Buffer.from(openApiText, 'utf8') };

  const functions: BuiltFunction[] = FUNCTIONS.map((fn, i) => {
    const bundle = join(handlersDir, `${fn.name}.mjs`);
    const jsFiles = bundleFiles(results[i].metafile, handlersDir, bundle);
    const code = readFileSync(bundle);
    const inputs: ZipInput[] = [
      ...jsFiles.map((f) => ({ name: f.name, data: readFileSync(join(handlersDir, f.name.slice('handlers/'.length))) })),
      ...(fn.playground ? assetInputs : []),
      ...(fn.docs ? [...docsInputs, openApiInput] : []),
    ];
    const zip = join(zipDir, `${fn.name}.zip`);
    const bytes = createDeterministicZip(inputs);
    writeFileSync(zip, bytes);
    const sum = (files: BundleFile[]) => files.reduce((n, f) => n + f.bytes, 0);
    return {
      name: fn.name,
      bundle,
      zip,
      bundleBytes: code.length,
      startBytes: sum(jsFiles.filter((f) => !f.lazy)),
      lazyBytes: sum(jsFiles.filter((f) => f.lazy)),
      totalJsBytes: sum(jsFiles),
      jsFiles,
      zipBytes: bytes.length,
      files: inputs.map((f) => f.name),
      inputs: [...new Set(jsFiles.flatMap((f) => f.inputs))],
    };
  });

  const meta = {
    functions: functions.map((f) => ({
      name: f.name,
      bundleBytes: f.bundleBytes,
      startBytes: f.startBytes,
      lazyBytes: f.lazyBytes,
      totalJsBytes: f.totalJsBytes,
      js: f.jsFiles.map((j) => ({ name: j.name, bytes: j.bytes, lazy: j.lazy })),
      zipBytes: f.zipBytes,
      files: f.files,
    })),
    inputs: Object.keys(result.metafile.inputs).length,
  };
  writeFileSync(join(zipDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { outDir, functions, durationMs: Math.round(performance.now() - started) };
}

/**
 * Chunks a cold start does not read: what a dynamic `import()` of these modules brings, i.e. the
 * Redis-backed stores and limiter (src/app/redis-backends.ts, imported by composeGateway only
 * when REDIS_URL is set) and ioredis behind them (src/upstream/redis-driver.ts). Every other
 * chunk counts as loaded at start, including those behind Apollo's own dynamic imports of its
 * default plugins (cache control, landing page, ...), which it runs while the server starts, and
 * undici's, which the upstream client imports on its first call.
 */
const LAZY_INPUTS = /^src\/app\/redis-backends\.ts$|node_modules\/(ioredis|@ioredis\/commands)\//;

/**
 * A function's JavaScript files from its build's metafile: the entry, then its chunks. A chunk is
 * lazy when the entry reaches it only through a dynamic import of a `LAZY_INPUTS` chunk;
 * test/integration/handlers/package.test.ts runs the bundles with the lazy chunks deleted.
 */
function bundleFiles(metafile: Metafile, handlersDir: string, entry: string): BundleFile[] {
  const outputs = Object.entries(metafile.outputs)
    .filter(([path]) => path.endsWith('.mjs'))
    .map(([path, out]) => ({ abs: resolve(ROOT, path), out }));
  const byPath = new Map(outputs.map((o) => [o.abs, o.out]));
  const lazyTarget = (abs: string) => Object.keys(byPath.get(abs)?.inputs ?? {}).some((i) => LAZY_INPUTS.test(i));
  const atStart = new Set<string>();
  const visit = (abs: string) => {
    if (atStart.has(abs)) return;
    atStart.add(abs);
    for (const imp of byPath.get(abs)?.imports ?? []) {
      if (imp.external) continue;
      const target = resolve(ROOT, imp.path);
      if (imp.kind === 'import-statement' || (imp.kind === 'dynamic-import' && !lazyTarget(target))) visit(target);
    }
  };
  visit(entry);
  return outputs
    .map(({ abs, out }) => ({ name: `handlers/${relative(handlersDir, abs).split('\\').join('/')}`, bytes: out.bytes, lazy: !atStart.has(abs), inputs: Object.keys(out.inputs), abs }))
    .sort((a, b) => (a.abs === entry ? -1 : b.abs === entry ? 1 : a.name.localeCompare(b.name)))
    .map(({ abs: _abs, ...f }) => f);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const res = await buildLambda({ outDir: outIndex >= 0 ? args[outIndex + 1] : undefined, minify: !args.includes('--no-minify') });
  for (const f of res.functions) {
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(
      `${relative(ROOT, f.zip)}  ${kib(f.zipBytes)} zipped (JS: ${kib(f.startBytes)} loaded at start, ${kib(f.lazyBytes)} in lazy chunks, ${kib(f.totalJsBytes)} in all; ${f.files.length} files)`,
    );
  }
  console.log(`built in ${res.durationMs} ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
