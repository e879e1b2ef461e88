/**
 * `npm run simulator` (src/simulator/main.ts, configured by its environment variables) as a child
 * of an e2e suite: the same entry, plus an exit when stdin closes, so the simulator does not
 * outlive a parent that died without stopping it. Started by `spawnSimulator`.
 */
const exit = (): void => process.exit(0);
process.stdin.on('end', exit);
process.stdin.on('close', exit);
process.stdin.resume();

await import('../../../src/simulator/main');

export {};
