/** Per-caller bounds (bounds-contract.ts) against the in-memory store, plus memory specifics. */
import { describe, expect, it } from 'vitest';
import { executeIdempotent, MemoryIdempotencyStore } from '../../../src/idempotency';
import { boundsContract } from './bounds-contract';
import { silentLogger } from './contract';

describe('idempotency bounds: memory store', () => {
  boundsContract({ store: (bounds) => new MemoryIdempotencyStore(bounds) });
});

describe('MemoryIdempotencyStore accounting', () => {
  it('counts entries and bytes per caller and gives them back when records expire', async () => {
    let now = 5_000_000;
    const store = new MemoryIdempotencyStore({ clock: () => now, maxEntriesPerCaller: 2 });
    const o = { scope: 'acct', fingerprint: 'fp', ttlSeconds: 1, logger: silentLogger, clock: () => now };
    await executeIdempotent(store, { ...o, key: 'a' }, async () => 'x'.repeat(100));
    await executeIdempotent(store, { ...o, key: 'b' }, async () => 'y');
    expect(store.usage('acct').entries).toBe(2);
    expect(store.usage('acct').bytes).toBeGreaterThan(100);
    expect(store.usage('other')).toEqual({ entries: 0, bytes: 0 });
    now += 2_000;
    await executeIdempotent(store, { ...o, key: 'c' }, async () => 'z');
    expect(store.usage('acct').entries).toBe(1);
  });
});
