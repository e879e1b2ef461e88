/**
 * Issue 8, item 1: an idempotent replay never returns more than a fresh call by that caller would
 * return now. The matrix: all 68 actions x scope sets {none, read, write, keys, admin} x
 * identities {API key, JWT of the same subject as the first caller, JWT whose subject equals the
 * first caller's API key id}, in process against the simulator (gateway `restHandler`, no HTTP).
 *
 * For each action and identity, a first caller with every scope calls the action with an
 * `Idempotency-Key`; then a caller with each scope set repeats the exact request (same key, same
 * body). What must hold for every cell:
 * - a caller who may not make the call now is refused (403 FORBIDDEN naming a scope) and nothing
 *   reaches the upstream: authorization runs before any stored answer is looked at;
 * - another caller (an API key of another id; a JWT whose subject merely equals the key id) never
 *   gets the first caller's answer (no replay, never its upstream RequestId);
 * - a read is never replayed (the key is ignored on reads);
 * - the same caller (a JWT of the same issuer and subject) gets the stored answer of a write;
 * - no answer to a caller without `keys` contains key material.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/app';
import { containsKeyMaterial, createDemoApiKey, formatApiKeys, requiredScopes, type Scope } from '../../src/auth';
import { spec } from '../../src/spec';
import { startGateway, type GatewayFixture } from '../helpers/fixture';
import type { Simulator } from '../helpers/simulator';
import { ACTIONS, restBody } from '../helpers/actions';

const SCOPE_SETS: Readonly<Record<string, readonly Scope[]>> = { none: [], read: ['read'], write: ['write'], keys: ['keys'], admin: ['admin'] };
const ALL: readonly Scope[] = ['read', 'write', 'keys', 'admin'];
const IDENTITIES = ['api-key', 'jwt-same-subject', 'jwt-subject-equals-key-id'] as const;
type IdentityCase = (typeof IDENTITIES)[number];

const ISSUER = 'https://issuer.replay-matrix.test/';
const AUDIENCE = 'ssl-gateway';
const jwtKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let sim: Simulator;
let gateway: Gateway;
const victimKey = createDemoApiKey({ id: 'victim', scopes: ALL });
// An API key needs at least one scope, so the `none` key is a well-formed key that is not
// configured: it cannot be authenticated at all (401).
const attackerKeys = Object.fromEntries(Object.entries(SCOPE_SETS).map(([name, scopes]) => [name, createDemoApiKey({ id: `matrix-${name}`, scopes: scopes.length ? scopes : ['read'] })]));
const configuredAttackerKeys = Object.entries(attackerKeys).filter(([name]) => name !== 'none').map(([, k]) => k.entry);

async function jwt(sub: string, scopes: readonly Scope[]): Promise<string> {
  return new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(jwtKeys.privateKey);
}

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGateway({
    surfaces: ['rest'],
    // The matrix is about idempotency records: each repeat must make its own upstream call so
    // that "never the first caller's answer" is visible in the RequestId. The read cache, which
    // does share an authorized read between callers (never key material), has its own
    // authorization tests (test/e2e/cache-surfaces.test.ts, test/integration/upstream/cache/redis.test.ts).
    cache: false,
    env: {
      GATEWAY_API_KEYS: formatApiKeys([victimKey.entry, ...configuredAttackerKeys]),
      GATEWAY_JWT_ISSUER: ISSUER,
      GATEWAY_JWT_AUDIENCE: AUDIENCE,
      GATEWAY_JWT_PUBLIC_KEY: jwtKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      GATEWAY_JWT_ALGORITHMS: 'ES256',
      // The matrix measures authorization, not pacing.
      RATE_LIMIT_OVERRIDES: ACTIONS.map((a) => `${a}=1000`).join(','),
      LOG_LEVEL: 'silent',
    },
  });
  ({ sim, gateway } = fx);
});

afterAll(() => fx?.close());

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
}

async function call(action: string, credential: { apiKey?: string; bearer?: string }, idempotencyKey: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': idempotencyKey };
  if (credential.apiKey) headers['x-api-key'] = credential.apiKey;
  if (credential.bearer) headers.authorization = `Bearer ${credential.bearer}`;
  const res = await gateway.restHandler({
    method: 'POST',
    path: `/v1/actions/${action}`,
    query: {},
    headers,
    body: Buffer.from(JSON.stringify(restBody(action))),
    requestId: randomUUID(),
  });
  let body: any;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text: res.body };
}

/** Same answer, apart from the gateway request id an error body carries (one per request). */
function sameAnswer(a: Answer, b: Answer): boolean {
  const strip = (x: Answer) => (x.body?.error ? JSON.stringify({ ...x.body.error, requestId: undefined }) : x.text);
  return strip(a) === strip(b);
}

/** The upstream RequestId in an answer (success body or upstream error), if any. */
function upstreamRequestId(a: Answer): string | undefined {
  return a.body?.RequestId ?? a.body?.error?.upstream?.requestId ?? undefined;
}

async function firstCaller(identity: IdentityCase): Promise<{ apiKey?: string; bearer?: string }> {
  return identity === 'jwt-same-subject' ? { bearer: await jwt('alice', ALL) } : { apiKey: victimKey.key };
}

async function repeater(identity: IdentityCase, set: string): Promise<{ apiKey?: string; bearer?: string }> {
  const scopes = SCOPE_SETS[set];
  if (identity === 'api-key') return { apiKey: attackerKeys[set].key };
  if (identity === 'jwt-same-subject') return { bearer: await jwt('alice', scopes) };
  return { bearer: await jwt('victim', scopes) };
}

describe('idempotent replays never return more than a fresh call by that caller (68 actions x 5 scope sets x 3 identities)', () => {
  it('covers every documented action', () => {
    expect(ACTIONS).toHaveLength(68);
  });

  it.each(IDENTITIES)('identity: %s', async (identity) => {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(what);
    };
    let cells = 0;
    for (const action of ACTIONS) {
      const kind = spec.actions[action].kind;
      const required = requiredScopes(action, restBody(action));
      const key = `matrix-${identity}-${action}-${randomUUID()}`;
      const first = await call(action, await firstCaller(identity), key);
      const firstRequestId = upstreamRequestId(first);
      const stored = kind === 'write' && firstRequestId !== undefined;
      for (const set of Object.keys(SCOPE_SETS)) {
        cells++;
        const where = `${action} / ${set} / ${identity}`;
        const granted = new Set(SCOPE_SETS[set]);
        const allowed = required.every((s) => granted.has(s));
        const before = sim.calls.count(action);
        const a = await call(action, await repeater(identity, set), key);
        const upstreamCalls = sim.calls.count(action) - before;
        const unauthenticated = identity === 'api-key' && set === 'none';
        if (unauthenticated) {
          check(a.status === 401 && a.body?.error?.code === 'UNAUTHENTICATED', `${where}: expected 401, got ${a.status} ${a.text.slice(0, 160)}`);
          check(upstreamCalls === 0 && a.headers['idempotent-replayed'] === undefined, `${where}: an unauthenticated call was served`);
        } else if (!allowed) {
          check(a.status === 403 && a.body?.error?.code === 'FORBIDDEN', `${where}: expected 403 FORBIDDEN, got ${a.status} ${a.text.slice(0, 160)}`);
          check(upstreamCalls === 0, `${where}: a refused call reached the upstream ${upstreamCalls} times`);
          check(a.headers['idempotent-replayed'] === undefined, `${where}: a refused call was answered from the store`);
        } else if (identity === 'jwt-same-subject' && stored) {
          // The same caller, allowed now: the stored answer of its own write.
          check(a.headers['idempotent-replayed'] === 'true' && a.status === first.status && sameAnswer(a, first), `${where}: expected the caller's own replay, got ${a.status} ${a.text.slice(0, 160)}`);
          check(upstreamCalls === 0, `${where}: a replay reached the upstream`);
        } else {
          // Another caller, or a read: a call of its own, never the first caller's answer.
          check(a.headers['idempotent-replayed'] === undefined, `${where}: answered from the first caller's record`);
          check(firstRequestId === undefined || upstreamRequestId(a) !== firstRequestId, `${where}: carries the first caller's upstream RequestId`);
        }
        if (!granted.has('keys')) check(!containsKeyMaterial(a.body), `${where}: key material in the answer of a caller without keys`);
      }
    }
    expect(cells).toBe(68 * 5);
    expect(problems).toEqual([]);
  });
});
