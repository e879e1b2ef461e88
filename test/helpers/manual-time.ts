/**
 * Time that only moves when a test moves it: a clock and a sleep for code that takes them as
 * options (the rate limiter, the Redis store's script clock). Unlike vitest's fake timers it
 * leaves real timers and I/O alone, so it works next to a real Redis: between two steps the test's
 * `settle` lets real replies arrive (e.g. a PING on every connection, which Redis answers after
 * every command sent before it), then the next due sleeper wakes.
 */
import type { Clock, Sleep } from '../../src/upstream/ratelimit';

export interface ManualTime {
  readonly clock: Clock;
  readonly sleep: Sleep;
  now(): number;
  /** Moves time forward by `ms`, waking every sleeper due on the way in order, settling after each. */
  advance(ms: number): Promise<void>;
  /** Sleepers not yet woken. */
  pending(): number;
}

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  resolve(): void;
}

/** Lets queued promise callbacks and already-arrived I/O run. */
export const flushImmediate = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise<void>((r) => setImmediate(r));
};

export function manualTime(start = 1_800_000_000_000, settle: () => Promise<void> = flushImmediate): ManualTime {
  let now = start;
  let seq = 0;
  const sleepers: Sleeper[] = [];
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const sleeper: Sleeper = {
        at: now + Math.max(0, ms),
        seq: seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = sleepers.indexOf(sleeper);
        if (i >= 0) sleepers.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      sleepers.push(sleeper);
    });
  return {
    clock: () => now,
    sleep,
    now: () => now,
    pending: () => sleepers.length,
    async advance(ms) {
      const target = now + ms;
      await settle();
      for (;;) {
        let next: Sleeper | undefined;
        for (const s of sleepers) if (s.at <= target && (next === undefined || s.at < next.at || (s.at === next.at && s.seq < next.seq))) next = s;
        if (next === undefined) break;
        sleepers.splice(sleepers.indexOf(next), 1);
        now = Math.max(now, next.at);
        next.resolve();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}
