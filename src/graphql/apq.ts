/**
 * The automatic-persisted-query (APQ) cache, one per caller. Apollo's default APQ cache is shared:
 * a caller could send only the hash of an operation and learn from "not found" versus any other
 * answer whether someone else had run that exact operation (a `downloadCertificate` of a given
 * certificate, say). Here every caller has its own entries: another caller's registrations are
 * invisible, so the answer to a hash depends only on what that caller itself sent.
 *
 * Apollo's cache interface carries no request context, so the caller comes from an
 * AsyncLocalStorage set around each request (`runAsApqCaller`, wired in `src/app.ts`). Without a
 * caller nothing is read or stored (every hash-only request is "not found").
 *
 * Bounded per caller (entries and bytes; a caller's own oldest entries make room for its new
 * ones) and in the number of callers (the least recently active caller's entries go first):
 * losing an entry only means the client sends the full query again.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Apollo's `KeyValueCache<string>` (from `@apollo/utils.keyvaluecache`, not a direct dependency). */
interface KeyValueCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}
interface KeyValueCacheSetOptions {
  ttl?: number | null;
}

const callerStorage = new AsyncLocalStorage<string>();

/** Runs `fn` with `caller` (the namespaced identity) as the owner of APQ lookups and registrations. */
export function runAsApqCaller<T>(caller: string, fn: () => T): T {
  return callerStorage.run(caller, fn);
}

export interface CallerScopedApqCacheOptions {
  /** @default 200 */
  maxEntriesPerCaller?: number;
  /** Bytes of query text per caller. @default 1048576 */
  maxBytesPerCaller?: number;
  /** Callers with entries at once. @default 1000 */
  maxCallers?: number;
  /** @default Date.now */
  clock?: () => number;
}

interface Entry {
  value: string;
  bytes: number;
  expiresAt: number;
}

interface CallerEntries {
  entries: Map<string, Entry>;
  bytes: number;
}

export class CallerScopedApqCache implements KeyValueCache {
  // Map order is recency order (re-inserted on use) for callers and for each caller's entries.
  private readonly callers = new Map<string, CallerEntries>();
  private readonly maxEntriesPerCaller: number;
  private readonly maxBytesPerCaller: number;
  private readonly maxCallers: number;
  private readonly clock: () => number;

  constructor(options: CallerScopedApqCacheOptions = {}) {
    this.maxEntriesPerCaller = options.maxEntriesPerCaller ?? 200;
    this.maxBytesPerCaller = options.maxBytesPerCaller ?? 1_048_576;
    this.maxCallers = options.maxCallers ?? 1_000;
    this.clock = options.clock ?? Date.now;
  }

  async get(key: string): Promise<string | undefined> {
    const caller = callerStorage.getStore();
    if (caller === undefined) return undefined;
    const mine = this.callers.get(caller);
    const entry = mine?.entries.get(key);
    if (mine === undefined || entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.remove(mine, key);
      return undefined;
    }
    mine.entries.delete(key);
    mine.entries.set(key, entry);
    this.touch(caller, mine);
    return entry.value;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const caller = callerStorage.getStore();
    if (caller === undefined) return;
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    if (bytes > this.maxBytesPerCaller) return;
    let mine = this.callers.get(caller);
    if (mine === undefined) {
      mine = { entries: new Map(), bytes: 0 };
      if (this.callers.size >= this.maxCallers) {
        const oldest = this.callers.keys().next().value;
        if (oldest !== undefined) this.callers.delete(oldest);
      }
    }
    this.remove(mine, key);
    while (mine.entries.size > 0 && (mine.entries.size >= this.maxEntriesPerCaller || mine.bytes + bytes > this.maxBytesPerCaller)) {
      this.remove(mine, mine.entries.keys().next().value as string);
    }
    const ttl = options?.ttl;
    mine.entries.set(key, { value, bytes, expiresAt: typeof ttl === 'number' && ttl > 0 ? this.clock() + ttl * 1000 : Infinity });
    mine.bytes += bytes;
    this.touch(caller, mine);
  }

  async delete(key: string): Promise<boolean> {
    const caller = callerStorage.getStore();
    const mine = caller === undefined ? undefined : this.callers.get(caller);
    return mine !== undefined && this.remove(mine, key);
  }

  /** Entries held for `caller` (tests). */
  sizeOf(caller: string): number {
    return this.callers.get(caller)?.entries.size ?? 0;
  }

  private remove(mine: CallerEntries, key: string): boolean {
    const entry = mine.entries.get(key);
    if (entry === undefined) return false;
    mine.entries.delete(key);
    mine.bytes -= entry.bytes;
    return true;
  }

  private touch(caller: string, mine: CallerEntries): void {
    this.callers.delete(caller);
    this.callers.set(caller, mine);
  }
}
