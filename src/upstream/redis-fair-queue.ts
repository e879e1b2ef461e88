/**
 * The shared fair queue in Redis: which waiting call, of all gateway processes, gets the next slot
 * of an action's sliding-window budget.
 *
 * Booking a slot per waiter on arrival (the store's `reserve`) serves callers in the order their
 * bookings reached Redis: a caller with 20 queued calls in four processes holds the next two
 * windows, and a light caller arriving after them waits behind all 20 (past its max wait). Here a
 * waiter does not book on arrival; it JOINS a queue ordered by weighted-fair-queueing tags, and a
 * slot is granted only when the budget has room within `lookahead` ms of now AND the waiter is
 * among the first in tag order. Everything is decided in one Lua script per poll, on the Redis
 * clock, so the order is the same for every process.
 *
 * Keys (per action key K; all with a TTL, refreshed on every poll, deleted when the queue empties):
 * - `K` the granted slots (the same sorted set `reserve` books in: both keep one window bound);
 * - `K:fq:q` sorted set of waiting calls: score = virtual finish tag, member =
 *   `<join sequence, 15 digits>:<member id>` so equal tags are served in join order;
 * - `K:fq:m` hash member id -> `<queue member> <lease until> <deadline>` (Redis clock, ms): a waiter
 *   whose process stopped polling (died, or stalled past its lease) is dropped at its lease; one
 *   past its deadline is refused at its next poll;
 * - `K:fq:f` hash caller (sha1 prefix) -> tag of its last queued call (callers caught up with the
 *   virtual time are forgotten);
 * - `K:fq:s` hash {vt: virtual time (tag of the last granted call), seq: join counter}.
 * A caller's waiting calls are bounded by its queue quota (`maxQueuedPerCaller`, admitted before it
 * joins), so the queue is bounded per caller.
 *
 * Tags: a call of caller c with weight w joins at max(vt, last[c]) + 1 / w: a caller with 20 queued
 * calls holds tags vt+1..vt+20, a light caller's call joins at vt+1 and is served next but one.
 * A call that lost its slot (it could not start in time) joins at vt: first.
 */
import { RedisScript } from './redis-script';

/**
 * KEYS = slots, queue, members, finish tags, state. ARGV = limit, windowMs, burst, lookaheadMs,
 * leaseMs, ttlMs, now (empty: Redis TIME), n, then n × (member id, caller, weight, front 0/1,
 * budgetMs). Returns {nowMs, then per member: status, waitMs, slotMs, order}: status 1 granted
 * (slot booked at slotMs; `order` 1, 2, ... is the fair order of this poll's grants), 0 waiting (waitMs: when its turn is expected, assuming everyone ahead takes
 * theirs), -1 refused (its turn is past its deadline; it left the queue).
 */
const TAKE_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local slots, q, m, f, s = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local burst = tonumber(ARGV[3]) or limit
if burst > limit then burst = limit end
if burst < 1 then burst = 1 end
local ahead = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local now = tonumber(ARGV[7])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local n = tonumber(ARGV[8])
local function ceilus(x) return math.ceil(x * 1000) / 1000 end
local function fmt(x) return string.format('%.3f', x) end
local function tagfmt(x) return string.format('%.17g', x) end
-- the rule of earliestSlot (ratelimit.ts) over an ascending list
local function earliest(list)
  local c = #list
  local at = now
  if c > 0 and list[c] > at then at = list[c] end
  if c >= limit then
    local k = ceilus(list[c - limit + 1] + window)
    if k > at then at = k end
  end
  if burst < limit and c >= burst then
    local b = ceilus(list[c - burst + 1] + burst * window / limit)
    if b > at then at = b end
  end
  return at
end

redis.call('ZREMRANGEBYSCORE', slots, '-inf', now - window)
-- waiters whose process stopped polling
local recs = redis.call('HGETALL', m)
for i = 1, #recs, 2 do
  local qm, l = string.match(recs[i + 1], '^(%S+) (%S+)')
  if qm == nil or tonumber(l) < now then
    redis.call('HDEL', m, recs[i])
    if qm ~= nil then redis.call('ZREM', q, qm) end
  end
end

local vt = tonumber(redis.call('HGET', s, 'vt') or '0')
local mine = {}
local out = {}
local pending = 0
for i = 1, n do
  local b = 8 + (i - 1) * 5
  local id, caller, weight, front, budget = ARGV[b + 1], ARGV[b + 2], tonumber(ARGV[b + 3]), ARGV[b + 4] == '1', tonumber(ARGV[b + 5])
  local rec = redis.call('HGET', m, id)
  local qm, deadline
  if rec then
    local d
    qm, d = string.match(rec, '^(%S+) %S+ (%S+)$')
    deadline = tonumber(d)
  end
  if qm == nil or redis.call('ZSCORE', q, qm) == false then
    local seq = redis.call('HINCRBY', s, 'seq', 1)
    qm = string.format('%015d', seq) .. ':' .. id
    local tag = vt
    if not front then
      local last = tonumber(redis.call('HGET', f, caller) or '')
      if last ~= nil and last > tag then tag = last end
      tag = tag + 1 / weight
      redis.call('HSET', f, caller, tagfmt(tag))
    end
    redis.call('ZADD', q, tagfmt(tag), qm)
    deadline = now + budget
  end
  redis.call('HSET', m, id, qm .. ' ' .. fmt(now + lease) .. ' ' .. fmt(deadline))
  mine[qm] = { i = i, id = id, deadline = deadline }
  out[i] = { 0, fmt(window), '', 0 }
  pending = pending + 1
end

local booked = redis.call('ZRANGE', slots, 0, -1, 'WITHSCORES')
local sim, act = {}, {}
for i = 2, #booked, 2 do
  local v = tonumber(booked[i])
  sim[#sim + 1] = v
  act[#act + 1] = v
end
local queue = redis.call('ZRANGE', q, 0, -1, 'WITHSCORES')
local lastSlot = nil
local grants = 0
for j = 1, #queue, 2 do
  if pending == 0 then break end
  local qm = queue[j]
  local me = mine[qm]
  local turn = earliest(sim)
  if me == nil then
    sim[#sim + 1] = turn
  else
    pending = pending - 1
    local granted = false
    if turn <= now + ahead then
      local at = earliest(act)
      if at <= now + ahead then
        act[#act + 1] = at
        sim[#sim + 1] = turn
        redis.call('ZADD', slots, fmt(at), fmt(at) .. ':' .. me.id)
        redis.call('ZREM', q, qm)
        redis.call('HDEL', m, me.id)
        local tag = tonumber(queue[j + 1])
        if tag > vt then vt = tag end
        grants = grants + 1
        out[me.i] = { 1, fmt(at - now), fmt(at), grants }
        lastSlot = at
        granted = true
      end
    end
    if not granted then
      if turn > me.deadline then
        redis.call('ZREM', q, qm)
        redis.call('HDEL', m, me.id)
        out[me.i] = { -1, fmt(turn - now), '', 0 }
      else
        sim[#sim + 1] = turn
        out[me.i] = { 0, fmt(turn - now), '', 0 }
      end
    end
  end
end

if lastSlot ~= nil then
  redis.call('HSET', s, 'vt', tagfmt(vt))
  redis.call('PEXPIRE', slots, math.ceil(lastSlot - now + window) + 1000)
  local tags = redis.call('HGETALL', f)
  for i = 1, #tags, 2 do
    if tonumber(tags[i + 1]) <= vt then redis.call('HDEL', f, tags[i]) end
  end
end
if redis.call('ZCARD', q) == 0 then
  redis.call('DEL', q, m, f, s)
else
  redis.call('PEXPIRE', q, ttl)
  redis.call('PEXPIRE', m, ttl)
  redis.call('PEXPIRE', s, ttl)
  if redis.call('EXISTS', f) == 1 then redis.call('PEXPIRE', f, ttl) end
end
local reply = { fmt(now) }
for i = 1, n do
  reply[#reply + 1] = out[i][1]
  reply[#reply + 1] = out[i][2]
  reply[#reply + 1] = out[i][3]
  reply[#reply + 1] = out[i][4]
end
return reply
`;

/** KEYS = queue, members, finish tags, state; ARGV = member ids that left (gave up) while waiting. */
const CANCEL_LUA = `
for i = 1, #ARGV do
  local rec = redis.call('HGET', KEYS[2], ARGV[i])
  if rec then
    local qm = string.match(rec, '^(%S+)')
    if qm then redis.call('ZREM', KEYS[1], qm) end
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4]) end
return 1
`;

export const takeScript = new RedisScript(TAKE_LUA);
export const cancelScript = new RedisScript(CANCEL_LUA);

/** The fair-queue keys of an action key (after the slots key itself). */
export function fairQueueKeys(key: string): [string, string, string, string] {
  return [`${key}:fq:q`, `${key}:fq:m`, `${key}:fq:f`, `${key}:fq:s`];
}

/** One waiting call in a poll. */
export interface FairTakeEntry {
  /** Unique per waiting call (process id + sequence). */
  readonly member: string;
  /** Fair-queue class, already hashed (never the raw caller id). */
  readonly callerClass: string;
  /** Relative share (> 0). */
  readonly weight: number;
  /** Lost its slot (could not start in time): joins first. */
  readonly front: boolean;
  /** How long it may still wait (only read when it joins). */
  readonly budgetMs: number;
}

export type FairTakeStatus =
  | { readonly status: 'granted'; readonly waitMs: number; readonly slot: number; /** Fair order among this poll's grants. */ readonly order: number }
  | { readonly status: 'waiting'; readonly waitMs: number }
  | { readonly status: 'refused'; readonly waitMs: number };

export interface FairTakeScriptReply {
  readonly redisNow: number;
  readonly results: FairTakeStatus[];
}

export function parseTakeReply(reply: unknown, n: number): FairTakeScriptReply {
  const bad = (): never => {
    throw new Error('unexpected reply from the fair-queue script');
  };
  if (!Array.isArray(reply) || reply.length !== 1 + 4 * n) return bad();
  const redisNow = Number(reply[0]);
  if (!Number.isFinite(redisNow)) return bad();
  const results: FairTakeStatus[] = [];
  for (let i = 0; i < n; i++) {
    const status = Number(reply[1 + 4 * i]);
    const waitMs = Number(reply[2 + 4 * i]);
    if (!Number.isFinite(waitMs)) return bad();
    if (status === 1) {
      const slot = Number(reply[3 + 4 * i]);
      const order = Number(reply[4 + 4 * i]);
      if (!Number.isFinite(slot) || !Number.isFinite(order)) return bad();
      results.push({ status: 'granted', waitMs, slot, order });
    } else if (status === 0) {
      results.push({ status: 'waiting', waitMs });
    } else if (status === -1) {
      results.push({ status: 'refused', waitMs });
    } else {
      return bad();
    }
  }
  return { redisNow, results };
}
