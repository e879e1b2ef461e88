/**
 * Builds the Lambda artifacts that `serverless.yml` deploys, with esbuild and no network:
 *
 *   dist/handlers/graphql.mjs, dist/handlers/rest.mjs   one minified ESM bundle per function
 *   dist/handlers/playground/*                          GraphiQL + React UMD files for the playground
 *   dist/handlers/docs/*                                the Redoc bundle of the API reference (/v1/docs)
 *   dist/lambda/graphql.zip, dist/lambda/rest.zip        the deployable artifacts (deterministic)
 *   dist/lambda/meta.json                               bundle inputs and sizes
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
import { build, type BuildOptions as EsbuildOptions, type Metafile, type Plugin } from 'esbuild';
import { BUNDLED_ASSET_DIR, PLAYGROUND_FILES, locatePlaygroundFile } from '../src/playground/assets';
import { DOCS_ASSET_DIR, DOCS_FILES, locateDocsFile } from '../src/rest/docs';
import { createDeterministicZip, type ZipInput } from './lambda-zip';

const SHIMS = join(dirname(fileURLToPath(import.meta.url)), 'lambda-shims');

/**
 * What the bundles leave out, by substituting a module at resolution time (each shim says why):
 * undici's index (only Pool, the connector and `request` are used), Apollo's reporting plugins
 * and their protobuf/fetch polyfills, @graphql-tools/schema (the schema is built at build
 * time), and Apollo's hash helper (Node's crypto instead of sha.js). Only the Lambda bundles see
 * these; tests and the local server load the real packages, and
 * test/integration/handlers/package.test.ts runs the bundles.
 */
export const lambdaAliases: Plugin = {
  name: 'ssl-gateway-lambda-aliases',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, () => ({ path: join(SHIMS, 'undici.cjs') }));
    b.onResolve({ filter: /^@graphql-tools\/schema$/ }, () => ({ path: join(SHIMS, 'graphql-tools-schema.cjs') }));
    b.onResolve({ filter: /^@apollo\/utils\.createhash$/ }, () => ({ path: join(SHIMS, 'apollo-createhash.cjs') }));
    b.onResolve({ filter: /\/plugin\/(usageReporting|schemaReporting|inlineTrace)\/index\.js$/ }, (args) =>
      /[\\/]@apollo[\\/]server[\\/]/.test(args.importer) ? { path: join(SHIMS, 'apollo-reporting.cjs') } : undefined,
    );
  },
};

const RUNTIME_SPEC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'spec', 'runtime');

/**
 * The GraphQL function loads the compact runtime spec (spec/runtime/*.json, generated from
 * spec/*.json by `npm run runtime:generate`): its documentation text lives in the SDL, so the
 * spec's Chinese text, examples and error tables and spec/en.json's descriptions (about 500 KiB)
 * stay out. The REST function keeps the full files: it renders the OpenAPI document and the
 * HTML reference from them. Both JSON files are read with `JSON.parse` of one string, which the
 * engine does several times faster than compiling the equal object literal.
 */
export const runtimeSpec: Plugin = {
  name: 'ssl-gateway-runtime-spec',
  setup(b) {
    b.onResolve({ filter: /(^|\/)spec\/(ssl-2019-12-05|en)\.json$/ }, (args) =>
      args.importer.startsWith(RUNTIME_SPEC_DIR) ? undefined : { path: join(RUNTIME_SPEC_DIR, args.path.replace(/^.*\//, '')) },
    );
    b.onLoad({ filter: /[\\/]spec[\\/]runtime[\\/][^\\/]+\.json$/ }, (args) => {
      const text = JSON.stringify(JSON.parse(readFileSync(args.path, 'utf8')));
      return { contents: `export default JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
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
 * The functions, their entry points, whether they serve the playground or the API reference, and
 * whether they load the compact runtime spec (see `runtimeSpec`).
 */
export const FUNCTIONS = [
  { name: 'graphql', entry: 'handlers/graphql.ts', playground: true, docs: false, compactSpec: true },
  { name: 'rest', entry: 'handlers/rest.ts', playground: false, docs: true, compactSpec: false },
] as const;

export type LambdaFunction = (typeof FUNCTIONS)[number];

/** The esbuild settings of one function's bundle (each function is built on its own). */
export function functionEsbuildOptions(fn: LambdaFunction, overrides: EsbuildOptions = {}): EsbuildOptions & { metafile: true } {
  return lambdaEsbuildOptions({
    entryPoints: { [fn.name]: fn.entry },
    plugins: fn.compactSpec ? [lambdaAliases, runtimeSpec] : [lambdaAliases],
    ...overrides,
  });
}

export interface BuildOptions {
  /** Output root. @default `<repo>/dist` */
  outDir?: string;
  /** @default true */
  minify?: boolean;
}

export interface BuiltFunction {
  name: string;
  /** Absolute path of the bundle (`dist/handlers/<name>.mjs`). */
  bundle: string;
  /** Absolute path of the zip (`dist/lambda/<name>.zip`). */
  zip: string;
  bundleBytes: number;
  zipBytes: number;
  /** Files inside the zip. */
  files: string[];
  /** The source files and packages' files the bundle is made of (esbuild's metafile inputs). */
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

  const functions: BuiltFunction[] = FUNCTIONS.map((fn) => {
    const bundle = join(handlersDir, `${fn.name}.mjs`);
    const code = readFileSync(bundle);
    const inputs: ZipInput[] = [{ name: `handlers/${fn.name}.mjs`, data: code }, ...(fn.playground ? assetInputs : []), ...(fn.docs ? docsInputs : [])];
    const zip = join(zipDir, `${fn.name}.zip`);
    const bytes = createDeterministicZip(inputs);
    writeFileSync(zip, bytes);
    const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(`/${fn.name}.mjs`));
    const sources = Object.keys(output?.[1].inputs ?? {});
    return { name: fn.name, bundle, zip, bundleBytes: code.length, zipBytes: bytes.length, files: inputs.map((i) => i.name), inputs: sources };
  });

  const meta = {
    functions: functions.map((f) => ({ name: f.name, bundleBytes: f.bundleBytes, zipBytes: f.zipBytes, files: f.files })),
    inputs: Object.keys(result.metafile.inputs).length,
  };
  writeFileSync(join(zipDir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return { outDir, functions, durationMs: Math.round(performance.now() - started) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const res = await buildLambda({ outDir: outIndex >= 0 ? args[outIndex + 1] : undefined, minify: !args.includes('--no-minify') });
  for (const f of res.functions) {
    console.log(`${relative(ROOT, f.zip)}  ${(f.zipBytes / 1024).toFixed(0)} KiB zipped (bundle ${(f.bundleBytes / 1024).toFixed(0)} KiB, ${f.files.length} files)`);
  }
  console.log(`built in ${res.durationMs} ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
