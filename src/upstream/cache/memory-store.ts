/**
 * The in-process cache store: `lru-cache`, bounded in bytes (each answer counts its JSON length),
 * entries expire after their fresh time plus the longest stale age. Used alone without Redis, and
 * by `RedisCacheStore` as its fallback while Redis is down.
 *
 * Tag generations live in a second LRU (a per-process counter: values never repeat). A tag
 * dropped for room would read as "never bumped" again and could make an older answer look
 * valid, so dropping one clears every answer; tags otherwise expire only after every answer that
 * could have recorded them (`generationTtlMs`).
 */
import { LRUCache } from 'lru-cache';
import { generationOf } from './keys';
import type { CacheLookup, CacheStore, Lead, StoredAnswer } from './store';

export interface MemoryCacheStoreOptions {
  /** Bound of the stored answers, bytes (JSON length). @default 32 MiB */
  maxBytes?: number;
  /** Tag generations kept. @default 100000 */
  maxTags?: number;
  /** How long a tag's generation is kept; must exceed the longest entry life. */
  generationTtlMs: number;
  /** ms clock (tests inject one). @default performance.now-based lru-cache default */
  clock?: () => number;
}

interface Entry {
  generation: string;
  answer: StoredAnswer;
}

export class MemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, Entry>;
  private readonly tags: LRUCache<string, string>;
  private seq = 0;

  constructor(options: MemoryCacheStoreOptions) {
    // ttlResolution 0: an injected clock is read on every check (the default caches it for 1 ms of
    // real time). lru-cache takes a start time of 0 for "no TTL", hence the + 1.
    const clock = options.clock;
    const perf = clock ? { perf: { now: () => clock() + 1 }, ttlResolution: 0 } : undefined;
    this.entries = new LRUCache<string, Entry>({
      maxSize: options.maxBytes ?? 32 * 1024 * 1024,
      sizeCalculation: (e) => e.answer.value.length + 128,
      ttlAutopurge: false,
      ...perf,
    });
    // Bounded by count through `maxSize` (each tag weighs 1), not `max`: lru-cache allocates
    // `max`-long arrays up front (about 5 MiB and 10 ms of the first request for 100,000),
    // while a `maxSize` bound grows with the entries actually held. Evictions are the same.
    this.tags = new LRUCache<string, string>({
      maxSize: options.maxTags ?? 100_000,
      sizeCalculation: () => 1,
      ttl: options.generationTtlMs,
      ...perf,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.entries.clear();
      },
    });
  }

  /** Answers held (tests and stats). */
  get size(): number {
    return this.entries.size;
  }

  /** Every stored answer's JSON (tests scan them for key material). */
  values(): string[] {
    return [...this.entries.values()].map((e) => e.answer.value);
  }

  clear(): void {
    this.entries.clear();
  }

  generation(tags: readonly string[]): string {
    return generationOf(tags.map((t) => this.tags.get(t) ?? null));
  }

  async lookup(key: string, tags: readonly string[]): Promise<CacheLookup> {
    const generation = this.generation(tags);
    const entry = this.entries.get(key);
    if (!entry) return { generation };
    if (entry.generation !== generation) {
      this.entries.delete(key);
      return { generation };
    }
    return { answer: entry.answer, generation };
  }

  async save(key: string, generation: string, answer: StoredAnswer, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    this.entries.set(key, { generation, answer }, { ttl: ttlMs });
  }

  async invalidate(tags: readonly string[]): Promise<void> {
    for (const t of tags) this.tags.set(t, String(++this.seq));
  }

  async lead(): Promise<Lead> {
    return { role: 'solo' };
  }

  async finish(): Promise<void> {}

  async awaitResult(): Promise<string | undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
