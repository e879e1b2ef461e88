/**
 * Idempotency for mutations: stores, protocol and errors (see `run.ts`). The Redis store is not
 * re-exported: only a gateway with REDIS_URL loads it (src/app/redis-backends.ts, a dynamic
 * import); import it from './redis-store'.
 */
export * from './errors';
export * from './fingerprint';
export * from './store';
export * from './run';
export * from './service';
