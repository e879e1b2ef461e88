/** Running Lua scripts on Redis (shared by the rate limiter, its fair queue and other Redis stores). */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** The subset of an ioredis client the scripts need (`status`, when known, tells a usable connection). */
export type RedisScriptClient = Pick<Redis, 'evalsha' | 'eval'> & { readonly status?: string };

/** A Lua script run with EVALSHA, falling back to EVAL (which also caches it) on NOSCRIPT. */
export class RedisScript {
  readonly sha1: string;

  constructor(readonly source: string) {
    this.sha1 = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisScriptClient, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha1, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return await client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
