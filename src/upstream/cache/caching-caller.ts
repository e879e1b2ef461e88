/**
 * The caching caller: a decorator with the upstream client's `call(action, params, options)`
 * shape, composed beneath both surfaces (and beneath the per-caller scope guard, so a caller is
 * authorized before any answer, cached or not, is used, and key material is redacted from cached
 * answers exactly as from fresh ones).
 *
 * Reads the TTL table caches (`ttl.cacheable`):
 *   1. look up the answer and the current generation of its tags (one Redis round trip);
 *      a fresh answer is a `hit` (unless the request said `no-cache`);
 *   2. otherwise join an identical read in flight in this process (`coalesced`); while such a
 *      refresh runs, a caller holding a stale answer (within `maxStaleMs`) gets it at once (`stale`);
 *   3. otherwise lead the read across instances (Redis lock): the leader calls upstream (`sent`),
 *      saves and publishes the answer; a follower waits up to `coalesceWaitMs` for it
 *      (`coalesced`; `stale` at once when it holds a stale answer), then calls on its own;
 *   4. when the call fails with RATE_LIMITED or a transient upstream failure, a stale answer
 *      within `maxStaleMs` is served (`stale`) instead of the error.
 * The flight key includes the tags' generation, so a read that starts after a write never joins
 * one that started before it.
 *
 * Reads never cached (answers that can carry key material, caching turned off) go straight to
 * the inner caller: not stored, not coalesced with anyone. Writes go straight through too, and
 * then bump the tags the invalidation table names, whatever their outcome (an unknown outcome
 * must invalidate as well), before the writer gets its answer.
 */
import { ErrorCode } from '../../errors';
import { getAction } from '../../spec';
import { isGatewayError } from '../errors';
import { untilAborted, Coalescer } from './coalescer';
import { readTags, writeTags } from './invalidation-table';
import { readKey } from './keys';
import { noteRead, noteUncached, requestCacheState } from './request-state';
import type { CacheStore, StoredAnswer } from './store';
import type { TtlTable } from './ttl-table';
import type { CacheUse } from '../../observability/log';

type Json = Record<string, unknown>;

/** Call options the cache understands; the rest is passed to the inner caller as is. */
export interface CachingCallOptions {
  signal?: AbortSignal;
  /** `no-cache`: go upstream (still coalesced with a call in flight, still paced). @default 'default' */
  cache?: 'default' | 'no-cache';
  region?: string;
  language?: string;
  [option: string]: unknown;
}

export interface InnerCaller {
  call(action: string, params: Json, options?: Record<string, unknown>): Promise<Json>;
}

export interface CachingCallerOptions {
  ttl: TtlTable;
  store: CacheStore;
  /** Upstream account id (`accountId(endpoint, secretId)`): part of every key. */
  account: string;
  /** Longest age past freshness at which an answer may still be served as stale, ms. */
  maxStaleMs: number;
  /** How long a follower waits for another instance's answer, ms. */
  coalesceWaitMs: number;
  /** ms clock for ages. @default Date.now */
  clock?: () => number;
}

interface FlightResult {
  use: CacheUse;
  value: string;
  storedAt: number;
  freshMs: number;
  /** The parsed answer for the flight's creator (joiners parse `value`: nobody shares objects). */
  parsed?: Json;
}

/** Failures after which a stale answer beats the error. */
const STALE_ON: ReadonlySet<string> = new Set([ErrorCode.RATE_LIMITED, ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.UPSTREAM_TIMEOUT, ErrorCode.UPSTREAM_INTERNAL]);

export function servesStaleOn(err: unknown): boolean {
  return isGatewayError(err) && STALE_ON.has(err.code);
}

export class CachingCaller {
  private readonly flights = new Coalescer<FlightResult>();
  private readonly clock: () => number;

  constructor(
    private readonly inner: InnerCaller,
    private readonly options: CachingCallerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async call(action: string, params: Json, options: CachingCallOptions = {}): Promise<Json> {
    const { cache: mode, ...rest } = options;
    const kind = getAction(action)?.kind;
    if (kind !== 'read') return this.write(action, params, rest);
    if (!this.options.ttl.cacheable(action)) {
      noteUncached(false);
      return this.inner.call(action, params, rest);
    }
    return this.read(action, params, rest, mode === 'no-cache' || requestCacheState()?.noCache === true);
  }

  private async write(action: string, params: Json, rest: Record<string, unknown>): Promise<Json> {
    noteUncached(true);
    try {
      return await this.inner.call(action, params, rest);
    } finally {
      await this.options.store.invalidate(writeTags(action, params));
    }
  }

  private async read(action: string, params: Json, rest: Record<string, unknown>, noCache: boolean): Promise<Json> {
    const started = this.clock();
    const signal = rest.signal as AbortSignal | undefined;
    const key = readKey(this.options.account, action, params, `${String(rest.region ?? '')}|${String(rest.language ?? '')}`);
    const { answer, generation } = await this.options.store.lookup(key, readTags(action, params));
    const now = this.clock();
    const stale = !noCache && answer && now - answer.storedAt <= answer.freshMs + this.options.maxStaleMs ? answer : undefined;
    if (stale && now - stale.storedAt < stale.freshMs) return this.serve(action, 'hit', stale, started);

    const flightKey = `${key}:${generation}`;
    const existing = this.flights.get(flightKey);
    if (existing) {
      // A refresh is running: a stale answer now beats waiting for it.
      if (stale) return this.serve(action, 'stale', stale, started);
      try {
        const r = await untilAborted(existing.promise, signal);
        return this.serve(action, r.use === 'stale' ? 'stale' : 'coalesced', r, started);
      } catch (err) {
        // Its creator gave up (deadline): that says nothing about this caller's call.
        if (!(existing.signal?.aborted && !signal?.aborted)) throw err;
      }
    }

    const flight = this.flights.start(flightKey, () => this.fly(action, params, rest, key, generation, flightKey, stale), signal);
    try {
      const r = await flight.promise;
      return this.serve(action, r.use, r, started, r.parsed);
    } catch (err) {
      if (stale && servesStaleOn(err)) return this.serve(action, 'stale', stale, started);
      throw err;
    }
  }

  /** One upstream read for every identical read in this process (and, with Redis, every instance). */
  private async fly(
    action: string,
    params: Json,
    rest: Record<string, unknown>,
    key: string,
    generation: string,
    flightKey: string,
    stale: StoredAnswer | undefined,
  ): Promise<FlightResult> {
    const { store, coalesceWaitMs, maxStaleMs, ttl } = this.options;
    const lead = await store.lead(flightKey, coalesceWaitMs);
    if (lead.role === 'follower') {
      if (stale) return { use: 'stale', ...stale };
      const value = await store.awaitResult(lead.token, coalesceWaitMs, rest.signal as AbortSignal | undefined);
      if (value !== undefined) {
        const parsed = JSON.parse(value) as Json;
        return { use: 'coalesced', value, storedAt: this.clock(), freshMs: ttl.freshMs(action, parsed), parsed };
      }
      // No answer in time (or the leader failed): call on our own.
    }
    try {
      const parsed = await this.inner.call(action, params, rest);
      const value = JSON.stringify(parsed);
      const answer: StoredAnswer = { value, storedAt: this.clock(), freshMs: ttl.freshMs(action, parsed) };
      if (answer.freshMs > 0) await store.save(key, generation, answer, answer.freshMs + maxStaleMs);
      await store.finish(flightKey, lead, value, Math.max(5_000, coalesceWaitMs));
      return { use: 'sent', ...answer, parsed };
    } catch (err) {
      await store.finish(flightKey, lead, undefined, Math.max(5_000, coalesceWaitMs));
      throw err;
    }
  }

  private serve(action: string, use: CacheUse, answer: StoredAnswer, started: number, parsed?: Json): Json {
    const now = this.clock();
    const age = use === 'hit' || use === 'stale' ? Math.max(0, now - answer.storedAt) : 0;
    noteRead(action, use, age, answer.freshMs - age, now - started);
    return parsed ?? (JSON.parse(answer.value) as Json);
  }
}
