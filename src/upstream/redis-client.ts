/**
 * Small pieces every Redis-backed store shares (the shared limiter, the read cache, the
 * idempotency store): a bounded wait for a reply, and closing a connection the store opened.
 */

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  if (!Number.isFinite(ms)) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), Math.max(1, ms));
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** The part of an ioredis client `quitRedis` uses. */
export interface QuittableRedis {
  readonly status: string;
  quit(): Promise<unknown>;
  disconnect(): void;
}

/** Closes a connection politely (QUIT, at most 1 s) when it is up, else drops it. */
export async function quitRedis(client: QuittableRedis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await withTimeout(client.quit(), 1_000, () => new Error('quit timed out'));
      return;
    } catch {
      // fall through
    }
  }
  client.disconnect();
}
