/**
 * The Lambda build's esbuild settings (scripts/build-lambda.ts), for the benchmarks that bundle
 * something else the same way: the baseline handler (bench/bundle.ts) and the load-test child
 * (bench/load.ts).
 */
export { lambdaEsbuildOptions } from '../scripts/build-lambda';
export { build } from 'esbuild';
