/**
 * The per-request GraphQL context: the upstream client, fresh DataLoaders, the wait policy for
 * `awaitCompletion` fields, and the request's one deadline. Every upstream call of the request,
 * loaders included, goes through the deadline (`withDeadline`): serial mutation fields, nested
 * waits and re-calls all share the invocation's remaining time.
 */
import type { Identity } from '../auth/identity';
import { createIdempotencyService, type IdempotencyService } from '../idempotency/service';
import { createLoaders, type LoaderSet, type RequestLoaders, type UpstreamCaller } from './loaders';
import { unboundedDeadline, type RequestDeadline } from '../http/deadline';
import { withDeadline } from '../tasks/deadline';
import { DEFAULT_WAIT_POLICY, systemWaitClock, type WaitClock, type WaitPolicy } from '../tasks/wait';

export interface GatewayContext {
  upstream: UpstreamCaller;
  loaders: LoaderSet;
  pollers: RequestLoaders['pollers'];
  wait: { policy: WaitPolicy; clock: WaitClock; deadline: RequestDeadline };
  /** The request's deadline (also `wait.deadline`); unbounded when none was given. */
  deadline: RequestDeadline;
  /** Aborted at the deadline. */
  signal?: AbortSignal;
  /** The authenticated caller; null when none was established (the scope plugin then answers 401). */
  identity: Identity | null;
  /** Runs mutations at most once per idempotency key. */
  idempotency: IdempotencyService;
  /** Mutation fields (response keys) answered from an idempotency replay; reported in `extensions`. */
  replayed: string[];
  /** Per-request memo for single-id reads that have no batch form (deduplication only). */
  memo<T>(key: string, load: () => Promise<T>): Promise<T>;
}

export interface ContextOptions {
  upstream: UpstreamCaller;
  waitPolicy?: WaitPolicy;
  waitClock?: WaitClock;
  /** The invocation's deadline. @default none (unbounded) */
  deadline?: RequestDeadline;
  identity?: Identity | null;
  idempotency?: IdempotencyService;
}

/** Used when no service is given (tests): a process-wide in-memory store. */
let defaultIdempotency: IdempotencyService | undefined;

export function createContext(options: ContextOptions): GatewayContext {
  const clock = options.waitClock ?? systemWaitClock;
  const deadline = options.deadline ?? unboundedDeadline(clock);
  const upstream = withDeadline(options.upstream, deadline);
  const signal = Number.isFinite(deadline.at) ? deadline.signal : undefined;
  const { loaders, pollers } = createLoaders(upstream, signal);
  const memo = new Map<string, Promise<unknown>>();
  return {
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let p = memo.get(key) as Promise<T> | undefined;
      if (!p) {
        p = load();
        memo.set(key, p);
      }
      return p;
    },
    upstream,
    loaders,
    pollers,
    wait: { policy: options.waitPolicy ?? DEFAULT_WAIT_POLICY, clock, deadline },
    deadline,
    signal,
    identity: options.identity ?? null,
    replayed: [],
    idempotency: options.idempotency ?? (defaultIdempotency ??= createIdempotencyService()),
  };
}
