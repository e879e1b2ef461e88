/**
 * The esbuild settings of the Lambda build (scripts/build-lambda.ts), for the benchmarks that
 * bundle something else the same way: the baseline handler (bench/bundle.ts) and the load-test
 * child (bench/load.ts). scripts/build-lambda.ts does not export its options, so they are repeated
 * here; bench/bundle.ts rebuilds the gateway's handlers with these and checks the output is
 * byte-identical to the build's, so a drift shows up as a failure, not as a skewed comparison.
 */
import { build, type BuildOptions } from 'esbuild';

export const LAMBDA_BANNER =
  "import { createRequire as __sslGatewayCreateRequire } from 'node:module'; const require = __sslGatewayCreateRequire(import.meta.url);";

/** Same as the `build()` call in scripts/build-lambda.ts, minus entry points and output paths. */
export function lambdaEsbuildOptions(overrides: BuildOptions = {}): BuildOptions {
  return {
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    treeShaking: true,
    sourcemap: 'external',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    external: ['@aws-sdk/*'],
    banner: { js: LAMBDA_BANNER },
    mainFields: ['main', 'module'],
    ...overrides,
  };
}

export { build };
