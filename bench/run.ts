/**
 * `npm run bench [-- name ...]`: runs the benchmarks and prints their figures (ratios against a
 * baseline measured in the same run). Results are also written to bench/results/*.json.
 */
import { runBatchingBench } from './batching';
import { runBudgetBench } from './budget';
import { runBundleBench } from './bundle';
import { runColdStartBench } from './coldstart';
import { runLoadBench } from './load';
import { runSigningBench } from './signing';

const BENCHES: Record<string, () => Promise<unknown>> = {
  signing: () => runSigningBench(),
  batching: () => runBatchingBench(),
  load: () => runLoadBench(),
  bundle: () => runBundleBench(),
  budget: () => runBudgetBench(),
  coldstart: () => runColdStartBench(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  await bench();
}
