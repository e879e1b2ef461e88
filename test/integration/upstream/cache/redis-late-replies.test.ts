/**
 * Cross-instance coalescing on a busy machine: a Redis reply that arrives after the command
 * timeout is not Redis down. Before, a late reply to the lock made its instance read on its own
 * without publishing (while other instances waited on its token until their bound, then each
 * called upstream too), and one late poll made a follower give up its wait: a crowd of identical
 * reads spent more upstream calls than distinct reads under load (`npm run bench -- budget`).
 *
 * Real redis-server; the late replies are made by delaying a real command's reply (the command
 * itself runs at once).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCacheStore } from '../../../../src/upstream/cache/memory-store';
import { RedisCacheStore } from '../../../../src/upstream/cache/redis-store';
import { startRedis, type TestRedis } from '../../../helpers/redis';

const TIMEOUT_MS = 300;
const LATE_MS = 1_200;

let redis: TestRedis;
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

/** A client whose next reply to `command` arrives LATE_MS late (the command runs at once). */
function clientWithLateReply(command: 'eval' | 'get'): Redis {
  const client = new Redis(redis.url);
  clients.push(client);
  const real = client[command].bind(client) as (...args: unknown[]) => Promise<unknown>;
  let late = true;
  (client as unknown as Record<string, unknown>)[command] = (...args: unknown[]) => {
    const reply = real(...args);
    if (!late) return reply;
    late = false;
    return reply.then((v) => new Promise((resolve) => setTimeout(() => resolve(v), LATE_MS)));
  };
  return client;
}

function store(client: Redis, prefix: string): RedisCacheStore {
  return new RedisCacheStore({
    client,
    keyPrefix: prefix,
    commandTimeoutMs: TIMEOUT_MS,
    generationTtlMs: 60_000,
    fallback: new MemoryCacheStore({ maxBytes: 1_000_000, generationTtlMs: 60_000 }),
  });
}

function plainClient(): Redis {
  const c = new Redis(redis.url);
  clients.push(c);
  return c;
}

describe('Redis read cache: late replies on a busy machine', () => {
  it('an instance whose lock reply comes late still leads: the instances waiting on its token get its answer', async () => {
    const prefix = 'late-lead:';
    const a = store(clientWithLateReply('eval'), prefix);
    const b = store(plainClient(), prefix);
    const leadA = await a.lead('flight', 5_000);
    expect(leadA.role).toBe('leader');
    // The lock script did run: the other instance follows A's token.
    const leadB = await b.lead('flight', 5_000);
    expect(leadB).toEqual({ role: 'follower', token: (leadA as { token: string }).token });
    await a.finish('flight', leadA, '{"TotalCount":1}', 5_000);
    expect(await b.awaitResult((leadB as { token: string }).token, 5_000)).toBe('{"TotalCount":1}');
  });

  it('a follower keeps waiting through one late poll and gets the leader\'s answer', async () => {
    const prefix = 'late-poll:';
    const leader = store(plainClient(), prefix);
    const follower = store(clientWithLateReply('get'), prefix);
    const lead = await leader.lead('flight', 5_000);
    expect(lead.role).toBe('leader');
    const follows = await follower.lead('flight', 5_000);
    expect(follows.role).toBe('follower');
    await leader.finish('flight', lead, '{"TotalCount":2}', 5_000);
    expect(await follower.awaitResult((follows as { token: string }).token, 10_000)).toBe('{"TotalCount":2}');
    expect(follower.state).toBe('redis');
  });
});
