/**
 * Storage for idempotency records (see `run.ts` for the protocol built on top).
 *
 * A record lives under one fully scoped key (caller scope + client key, see `scopedKey`) and is in
 * one of three states:
 * - `pending`: an execution owns the key (identified by a random token) and holds a lock until
 *   `lockTtlMs` after it began. If the lock runs out before the owner finishes (the process died or
 *   hung), the next reader turns the record into `unknown` (the call may have reached the
 *   upstream), never back into "free": a lost owner must not lead to a second execution.
 * - `completed`: the outcome (a success value or a definitive error) is stored and replayed; or,
 *   when it could not be kept (larger than the per-outcome cap, over the caller's byte budget,
 *   holding key material, or the store refused the write), it is remembered as "completed, not
 *   replayable": repeats get 409 `IDEMPOTENCY_NOT_REPLAYABLE`, never a second execution.
 * - `unknown`: the call may or may not have executed upstream. Either the owner stored the error
 *   that made it unknown, or the lock ran out (no outcome). The owner may still complete it later
 *   (its token is kept), which then makes the real outcome replayable.
 *
 * Expiry: a pending record lives `lockTtlMs + ttlMs` (so an `unknown` left by a lost owner is still
 * reported for a TTL after the lock ran out); completing sets the life to `ttlMs` from completion.
 *
 * All three operations are atomic per key, so the stores are safe across concurrent callers
 * (and, for Redis, across processes).
 *
 * Bounds, per caller (`scope`) so that one caller can never push out another's records: at most
 * `maxEntriesPerCaller` live records (a new key beyond that is refused with 429
 * `IDEMPOTENCY_CALLER_LIMIT` before anything executes; nothing is ever evicted early, since an
 * evicted record would let a retry execute a second time) and at most `maxBytesPerCaller` of
 * stored outcomes (beyond that an outcome is kept as "completed, not replayable").
 */

export type IdempotencyRecord =
  | { readonly state: 'pending'; readonly fingerprint: string; readonly lockRemainingMs: number }
  /** `outcome` is undefined when the outcome was not kept ("completed, not replayable"). */
  | { readonly state: 'completed'; readonly fingerprint: string; readonly outcome?: string }
  /** `outcome` is undefined when the owner's lock ran out before it stored anything. */
  | { readonly state: 'unknown'; readonly fingerprint: string; readonly outcome?: string };

export type BeginResult = { readonly acquired: true } | { readonly acquired: false; readonly record: IdempotencyRecord };

export interface BeginRequest {
  /** Fully scoped key (`scopedKey(scope, key)`). */
  key: string;
  /** The caller the record is counted against (its namespaced identity). */
  scope: string;
  fingerprint: string;
  /** Random owner token. */
  token: string;
  lockTtlMs: number;
  ttlMs: number;
}

export interface CompleteRequest {
  key: string;
  scope: string;
  token: string;
  state: 'completed' | 'unknown';
  /**
   * Serialized outcome (opaque to the store); null to remember the state without it (for
   * `completed`: "completed, not replayable"). The store may drop it too (caller byte budget).
   */
  outcome: string | null;
  ttlMs: number;
}

export interface IdempotencyStore {
  /**
   * Atomically: when no record exists, creates a `pending` one owned by `token` and answers
   * `acquired: true`; otherwise answers the record (turning an expired `pending` into `unknown`).
   * Throws `IdempotencyCallerLimitError` when the caller already holds its maximum of records.
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
  release(key: string, token: string, scope: string): Promise<boolean>;
}

/**
 * `<prefix><scope>:<key>` with both parts URI-encoded, so distinct (scope, key) pairs never map to
 * the same string (neither encoded part contains `:`).
 */
export function scopedKey(scope: string, key: string, prefix = ''): string {
  return `${prefix}${encodeURIComponent(scope)}:${encodeURIComponent(key)}`;
}

/** Bounds shared by both stores (see the module comment). */
export interface IdempotencyBounds {
  /** Live records one caller may hold. @default 1000 */
  maxEntriesPerCaller?: number;
  /** Bytes of stored outcomes one caller may hold. @default 1048576 (1 MiB) */
  maxBytesPerCaller?: number;
}

export const DEFAULT_MAX_ENTRIES_PER_CALLER = 1_000;
export const DEFAULT_MAX_BYTES_PER_CALLER = 1_048_576;
/** What a record costs besides its outcome (key, fingerprint, token, bookkeeping), for the byte budgets. */
export const RECORD_OVERHEAD_BYTES = 256;

/** `begin` for a caller that already holds `maxEntriesPerCaller` live records. */
export class IdempotencyCallerLimitError extends Error {
  constructor(
    readonly maxEntries: number,
    /** When the caller's oldest record expires (a retry before then is refused again). */
    readonly retryAfterMs: number,
  ) {
    super(`this caller already holds ${maxEntries} idempotency records`);
    this.name = 'IdempotencyCallerLimitError';
  }
}

interface MemoryEntry {
  scope: string;
  fingerprint: string;
  state: 'pending' | 'completed' | 'unknown';
  token: string;
  lockUntil: number;
  outcome?: string;
  /** Counted against the caller's and the store's byte budgets. */
  bytes: number;
  expiresAt: number;
}

interface CallerUsage {
  entries: Set<string>;
  bytes: number;
}

export interface MemoryIdempotencyStoreOptions extends IdempotencyBounds {
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number;
  /**
   * Most records kept, all callers together. When full, expired records are dropped; if every
   * record is live, `begin` throws `IdempotencyCapacityError` (503, nothing executed) instead of
   * dropping a live record. @default 10000
   */
  maxEntries?: number;
  /** Bytes of outcomes kept, all callers together; beyond, outcomes are not kept. @default 32 MiB */
  maxBytes?: number;
}

/** `begin` on a full `MemoryIdempotencyStore` whose records are all live. */
export class IdempotencyCapacityError extends Error {
  constructor(maxEntries: number) {
    super(`idempotency store is full (${maxEntries} live records)`);
    this.name = 'IdempotencyCapacityError';
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

/**
 * In-process store: one process only (a Lambda instance), so it protects against retries that
 * reach the same instance. Use `RedisIdempotencyStore` when several instances serve one API.
 * Memory is bounded by `maxEntries` (all callers), `maxEntriesPerCaller`, `maxBytesPerCaller` and
 * `maxBytes`; records leave only when their TTL has passed (checked on access and swept when a
 * bound is reached), never early.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, MemoryEntry>();
  private readonly callers = new Map<string, CallerUsage>();
  private totalBytes = 0;
  private readonly clock: () => number;
  readonly maxEntries: number;
  readonly maxEntriesPerCaller: number;
  readonly maxBytesPerCaller: number;
  readonly maxBytes: number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.clock = options.clock ?? (() => Date.now());
    this.maxEntries = positiveInt('maxEntries', options.maxEntries ?? 10_000);
    this.maxEntriesPerCaller = positiveInt('maxEntriesPerCaller', options.maxEntriesPerCaller ?? Math.min(DEFAULT_MAX_ENTRIES_PER_CALLER, this.maxEntries));
    this.maxBytesPerCaller = positiveInt('maxBytesPerCaller', options.maxBytesPerCaller ?? DEFAULT_MAX_BYTES_PER_CALLER);
    this.maxBytes = positiveInt('maxBytes', options.maxBytes ?? 32 * 1_048_576);
  }

  /** Records currently held (expired ones included until swept). */
  get size(): number {
    return this.entries.size;
  }

  /** Records and outcome bytes held for `scope` (tests, metrics). */
  usage(scope: string): { entries: number; bytes: number } {
    const u = this.callers.get(scope);
    return { entries: u?.entries.size ?? 0, bytes: u?.bytes ?? 0 };
  }

  async begin(req: BeginRequest): Promise<BeginResult> {
    const now = this.clock();
    const entry = this.live(req.key, now);
    if (entry === undefined) {
      let usage = this.callers.get(req.scope);
      if (usage !== undefined && usage.entries.size >= this.maxEntriesPerCaller) {
        this.sweepCaller(usage, now);
        if (usage.entries.size >= this.maxEntriesPerCaller) {
          let oldest = Infinity;
          for (const k of usage.entries) oldest = Math.min(oldest, this.entries.get(k)?.expiresAt ?? now);
          throw new IdempotencyCallerLimitError(this.maxEntriesPerCaller, Math.max(1, oldest - now));
        }
      }
      if (this.entries.size >= this.maxEntries) {
        this.sweep(now);
        if (this.entries.size >= this.maxEntries) throw new IdempotencyCapacityError(this.maxEntries);
      }
      usage = this.callers.get(req.scope);
      if (usage === undefined) {
        usage = { entries: new Set(), bytes: 0 };
        this.callers.set(req.scope, usage);
      }
      this.entries.set(req.key, {
        scope: req.scope,
        fingerprint: req.fingerprint,
        state: 'pending',
        token: req.token,
        lockUntil: now + req.lockTtlMs,
        bytes: RECORD_OVERHEAD_BYTES,
        expiresAt: now + req.lockTtlMs + req.ttlMs,
      });
      usage.entries.add(req.key);
      usage.bytes += RECORD_OVERHEAD_BYTES;
      this.totalBytes += RECORD_OVERHEAD_BYTES;
      return { acquired: true };
    }
    if (entry.state === 'pending' && entry.lockUntil <= now) entry.state = 'unknown';
    return { acquired: false, record: toRecord(entry, now) };
  }

  async complete(req: CompleteRequest): Promise<boolean> {
    const now = this.clock();
    const entry = this.live(req.key, now);
    if (entry === undefined || entry.token !== req.token || entry.state === 'completed') return false;
    const usage = this.callers.get(entry.scope)!;
    // A record completed twice (a late owner after "unknown") replaces its earlier outcome.
    const previous = entry.bytes - RECORD_OVERHEAD_BYTES;
    usage.bytes -= previous;
    this.totalBytes -= previous;
    entry.bytes = RECORD_OVERHEAD_BYTES;
    entry.outcome = undefined;
    const size = req.outcome === null ? 0 : Buffer.byteLength(req.outcome, 'utf8');
    if (req.outcome !== null && usage.bytes + size <= this.maxBytesPerCaller && this.totalBytes + size <= this.maxBytes) {
      entry.outcome = req.outcome;
      entry.bytes += size;
      usage.bytes += size;
      this.totalBytes += size;
    }
    entry.state = req.state;
    entry.expiresAt = now + req.ttlMs;
    return true;
  }

  // The record knows its caller; `scope` is part of the interface for stores that do not.
  async release(key: string, token: string, _scope?: string): Promise<boolean> {
    const entry = this.live(key, this.clock());
    if (entry === undefined || entry.token !== token || entry.state === 'completed') return false;
    this.drop(key, entry);
    return true;
  }

  /** Drops every expired record. */
  sweep(now = this.clock()): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.drop(key, entry);
  }

  private sweepCaller(usage: CallerUsage, now: number): void {
    for (const key of [...usage.entries]) {
      const entry = this.entries.get(key);
      if (entry !== undefined && entry.expiresAt <= now) this.drop(key, entry);
    }
  }

  private drop(key: string, entry: MemoryEntry): void {
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
    const usage = this.callers.get(entry.scope);
    if (usage === undefined) return;
    usage.entries.delete(key);
    usage.bytes -= entry.bytes;
    if (usage.entries.size === 0) this.callers.delete(entry.scope);
  }

  private live(key: string, now: number): MemoryEntry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt <= now) {
      this.drop(key, entry);
      return undefined;
    }
    return entry;
  }
}

function toRecord(entry: MemoryEntry, now: number): IdempotencyRecord {
  switch (entry.state) {
    case 'pending':
      return { state: 'pending', fingerprint: entry.fingerprint, lockRemainingMs: Math.max(0, entry.lockUntil - now) };
    case 'completed':
      return entry.outcome === undefined ? { state: 'completed', fingerprint: entry.fingerprint } : { state: 'completed', fingerprint: entry.fingerprint, outcome: entry.outcome };
    case 'unknown':
      return entry.outcome === undefined
        ? { state: 'unknown', fingerprint: entry.fingerprint }
        : { state: 'unknown', fingerprint: entry.fingerprint, outcome: entry.outcome };
  }
}
