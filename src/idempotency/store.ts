/**
 * Storage for idempotency records (see `run.ts` for the protocol built on top).
 *
 * A record lives under one fully scoped key (caller scope + client key, see `scopedKey`) and is in
 * one of three states:
 * - `pending`: an execution owns the key (identified by a random token) and holds a lock until
 *   `lockTtlMs` after it began. If the lock runs out before the owner finishes (the process died or
 *   hung), the next reader turns the record into `unknown` (the call may have reached the
 *   upstream), never back into "free": a lost owner must not lead to a second execution.
 * - `completed`: the outcome (a success value or a definitive error) is stored, replayable.
 * - `unknown`: the call may or may not have executed upstream. Either the owner stored the error
 *   that made it unknown, or the lock ran out (no outcome). The owner may still complete it later
 *   (its token is kept), which then makes the real outcome replayable.
 *
 * Expiry: a pending record lives `lockTtlMs + ttlMs` (so an `unknown` left by a lost owner is still
 * reported for a TTL after the lock ran out); completing sets the life to `ttlMs` from completion.
 *
 * All three operations are atomic per key, so the stores are safe across concurrent callers
 * (and, for Redis, across processes).
 */

export type IdempotencyRecord =
  | { readonly state: 'pending'; readonly fingerprint: string; readonly lockRemainingMs: number }
  | { readonly state: 'completed'; readonly fingerprint: string; readonly outcome: string }
  /** `outcome` is undefined when the owner's lock ran out before it stored anything. */
  | { readonly state: 'unknown'; readonly fingerprint: string; readonly outcome?: string };

export type BeginResult = { readonly acquired: true } | { readonly acquired: false; readonly record: IdempotencyRecord };

export interface BeginRequest {
  /** Fully scoped key. */
  key: string;
  fingerprint: string;
  /** Random owner token. */
  token: string;
  lockTtlMs: number;
  ttlMs: number;
}

export interface CompleteRequest {
  key: string;
  token: string;
  state: 'completed' | 'unknown';
  /** Serialized outcome (opaque to the store). */
  outcome: string;
  ttlMs: number;
}

export interface IdempotencyStore {
  /**
   * Atomically: when no record exists, creates a `pending` one owned by `token` and answers
   * `acquired: true`; otherwise answers the record (turning an expired `pending` into `unknown`).
   */
  begin(request: BeginRequest): Promise<BeginResult>;
  /**
   * Stores the final state if `token` still owns the record and it is not `completed`
   * (pending, or unknown after its lock ran out). `false` when it no longer owns it.
   */
  complete(request: CompleteRequest): Promise<boolean>;
  /**
   * Deletes the record if `token` owns it and it is not `completed`: the call provably did not
   * execute, so the key may be used again. `false` when it no longer owns it.
   */
  release(key: string, token: string): Promise<boolean>;
}

/**
 * `<prefix><scope>:<key>` with both parts URI-encoded, so distinct (scope, key) pairs never map to
 * the same string (neither encoded part contains `:`).
 */
export function scopedKey(scope: string, key: string, prefix = ''): string {
  return `${prefix}${encodeURIComponent(scope)}:${encodeURIComponent(key)}`;
}

interface MemoryEntry {
  fingerprint: string;
  state: 'pending' | 'completed' | 'unknown';
  token: string;
  lockUntil: number;
  outcome?: string;
  expiresAt: number;
}

export interface MemoryIdempotencyStoreOptions {
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number;
  /**
   * Most records kept. When full, expired records are dropped first, then the oldest finished
   * (`completed`/`unknown`) ones (down to 90 %); if every record is `pending`, `begin` throws
   * `IdempotencyCapacityError` instead of dropping a live lock. @default 10000
   */
  maxEntries?: number;
}

/** `begin` on a full `MemoryIdempotencyStore` whose records are all pending. */
export class IdempotencyCapacityError extends Error {
  constructor(maxEntries: number) {
    super(`idempotency store is full (${maxEntries} requests in progress)`);
    this.name = 'IdempotencyCapacityError';
  }
}

/**
 * In-process store: one process only (a Lambda instance), so it protects against retries that
 * reach the same instance. Use `RedisIdempotencyStore` when several instances serve one API.
 * Memory is bounded: TTL expiry (checked on access and swept when full) plus `maxEntries`.
 * Evicting a finished record early means a later retry with that key executes again; size
 * `maxEntries` for the expected number of keys per TTL.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly clock: () => number;
  readonly maxEntries: number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.clock = options.clock ?? (() => Date.now());
    this.maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  /** Records currently held (expired ones included until swept). */
  get size(): number {
    return this.entries.size;
  }

  async begin(req: BeginRequest): Promise<BeginResult> {
    const now = this.clock();
    const entry = this.live(req.key, now);
    if (entry === undefined) {
      if (this.entries.size >= this.maxEntries) this.makeRoom(now);
      this.entries.set(req.key, {
        fingerprint: req.fingerprint,
        state: 'pending',
        token: req.token,
        lockUntil: now + req.lockTtlMs,
        expiresAt: now + req.lockTtlMs + req.ttlMs,
      });
      return { acquired: true };
    }
    if (entry.state === 'pending' && entry.lockUntil <= now) entry.state = 'unknown';
    return { acquired: false, record: toRecord(entry, now) };
  }

  async complete(req: CompleteRequest): Promise<boolean> {
    const now = this.clock();
    const entry = this.live(req.key, now);
    if (entry === undefined || entry.token !== req.token || entry.state === 'completed') return false;
    entry.state = req.state;
    entry.outcome = req.outcome;
    entry.expiresAt = now + req.ttlMs;
    // Re-insert: Map order is then "oldest finished first" for eviction.
    this.entries.delete(req.key);
    this.entries.set(req.key, entry);
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    const entry = this.live(key, this.clock());
    if (entry === undefined || entry.token !== token || entry.state === 'completed') return false;
    this.entries.delete(key);
    return true;
  }

  /** Drops every expired record. */
  sweep(now = this.clock()): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private live(key: string, now: number): MemoryEntry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private makeRoom(now: number): void {
    this.sweep(now);
    if (this.entries.size < this.maxEntries) return;
    const target = Math.min(this.maxEntries - 1, Math.floor(this.maxEntries * 0.9));
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= target) break;
      if (entry.state !== 'pending') this.entries.delete(key);
    }
    if (this.entries.size >= this.maxEntries) throw new IdempotencyCapacityError(this.maxEntries);
  }
}

function toRecord(entry: MemoryEntry, now: number): IdempotencyRecord {
  switch (entry.state) {
    case 'pending':
      return { state: 'pending', fingerprint: entry.fingerprint, lockRemainingMs: Math.max(0, entry.lockUntil - now) };
    case 'completed':
      return { state: 'completed', fingerprint: entry.fingerprint, outcome: entry.outcome ?? 'null' };
    case 'unknown':
      return entry.outcome === undefined
        ? { state: 'unknown', fingerprint: entry.fingerprint }
        : { state: 'unknown', fingerprint: entry.fingerprint, outcome: entry.outcome };
  }
}
