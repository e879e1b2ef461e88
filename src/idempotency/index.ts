/** Idempotency for mutations: stores, protocol and errors (see `run.ts`). */
export * from './errors';
export * from './fingerprint';
export * from './store';
export * from './redis-store';
export * from './run';
export * from './service';
