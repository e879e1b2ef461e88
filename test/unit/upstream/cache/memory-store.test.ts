/**
 * The in-process cache store's bounds: tag generations are bounded by count, a tag dropped for
 * room clears every answer, and the bound costs nothing until tags are held (the store is built
 * on every cold start's first request).
 */
import { describe, expect, it } from 'vitest';
import { MemoryCacheStore, type StoredAnswer } from '../../../../src/upstream/cache';

const answer = (value: string): StoredAnswer => ({ value, storedAt: 0, freshMs: 10_000 });

describe('memory cache store', () => {
  it('a tag dropped for room clears every answer; within the bound answers stay valid', async () => {
    const store = new MemoryCacheStore({ maxTags: 2, generationTtlMs: 60_000 });
    await store.invalidate(['a', 'b']);
    const gen = store.generation(['a']);
    await store.save('k', gen, answer('"x"'), 10_000);
    expect((await store.lookup('k', ['a'])).answer).toBeDefined();
    // A second bump of a held tag needs no room: nothing is dropped.
    await store.invalidate(['b']);
    expect((await store.lookup('k', ['a'])).answer).toBeDefined();
    // A third tag needs room: the least recently used one goes, and with it every answer.
    await store.invalidate(['c']);
    expect(store.size).toBe(0);
    expect((await store.lookup('k', ['a'])).answer).toBeUndefined();
  });

  it('allocates nothing for its tag bound up front: a store with the default 100,000 tags costs kilobytes, not megabytes', () => {
    const before = process.memoryUsage().heapUsed;
    // Kept reachable, so what they allocated stays counted.
    const stores = Array.from({ length: 20 }, () => new MemoryCacheStore({ generationTtlMs: 60_000 }));
    const grown = process.memoryUsage().heapUsed - before;
    expect(stores).toHaveLength(20);
    // Preallocated for 100,000 tags, each store took about 5 MiB (100 MiB for the 20).
    expect(grown).toBeLessThan(10 * 1024 * 1024);
  });
});
