import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamClient, classifyNetworkError, stripNulls, type UpstreamCallEvent, type UpstreamClientOptions } from '../../../src/upstream/client';
import { CallNotSentError, TransportCode, UpstreamError } from '../../../src/upstream/errors';
import { createPolicyLookup } from '../../../src/upstream/policy';
import { unlimited, type AcquireOptions, type RateLimiter } from '../../../src/upstream/ratelimit';
import { parseAuthorization } from '../../../src/upstream/sign';
import {
  SECRET_ID,
  SECRET_KEY,
  fail,
  freePort,
  hang,
  ok,
  requestId,
  resetAfterSend,
  sendJson,
  startServer,
  verified,
  type Handler,
  type TestServer,
} from './helpers';

const POLICIES = createPolicyLookup({
  DescribeCertificates: { rateLimit: 10, region: 'none', kind: 'read' },
  DescribeCertificateDetail: { rateLimit: 10, region: 'none', kind: 'read' },
  ApplyCertificate: { rateLimit: 10, region: 'none', kind: 'write' },
  DeployCertificateInstance: { rateLimit: 10, region: 'optional', kind: 'write' },
  DescribeRegionalThing: { rateLimit: 10, region: 'required', kind: 'read' },
});

let server: TestServer;
const clients: UpstreamClient[] = [];

beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

function makeClient(over: Partial<UpstreamClientOptions> = {}) {
  const sleeps: number[] = [];
  const events: UpstreamCallEvent[] = [];
  const client = new UpstreamClient({
    endpoint: server.endpoint,
    credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY },
    policies: POLICIES,
    limiter: unlimited,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    maxAttempts: 3,
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 2000,
    requestTimeoutMs: 2000,
    onCall: (e) => events.push(e),
    ...over,
  });
  clients.push(client);
  return { client, sleeps, events };
}

async function rejection(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    return err as UpstreamError;
  }
  throw new Error('expected the call to fail');
}

describe('UpstreamClient: request shape', () => {
  it('sends a signed POST / with the common headers and returns Response without the envelope', async () => {
    server.respond(verified(ok({ TotalCount: 1, Certificates: [{ CertificateId: 'abc' }] })));
    const { client, events } = makeClient({ region: 'ap-guangzhou' });
    const out = await client.call('DescribeCertificates', { Limit: 1, SearchKey: null, Filters: [{ Name: 'x', Values: ['未命名'] }] });

    expect(out).toEqual({ TotalCount: 1, Certificates: [{ CertificateId: 'abc' }], RequestId: expect.any(String) });
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req.verify.ok).toBe(true);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/');
    expect(req.headers.host).toBe(`127.0.0.1:${server.port}`);
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.headers['x-tc-action']).toBe('DescribeCertificates');
    expect(req.headers['x-tc-version']).toBe('2019-12-05');
    expect(req.headers['x-tc-timestamp']).toMatch(/^\d{10}$/);
    // region 'none': never sent even though one is configured
    expect(req.headers['x-tc-region']).toBeUndefined();
    expect(req.headers['x-tc-token']).toBeUndefined();
    expect(req.headers['x-tc-language']).toBeUndefined();
    const auth = parseAuthorization(req.headers.authorization);
    expect(auth).toMatchObject({ secretId: SECRET_ID, service: 'ssl', signedHeaders: ['content-type', 'host', 'x-tc-action'] });
    // nulls stripped, unicode preserved
    expect(req.json).toEqual({ Limit: 1, Filters: [{ Name: 'x', Values: ['未命名'] }] });

    expect(events).toEqual([
      expect.objectContaining({ action: 'DescribeCertificates', kind: 'read', attempt: 1, outcome: 'success', requestId: out.RequestId, httpStatus: 200, willRetry: false }),
    ]);
  });

  it('reuses kept-alive connections', async () => {
    const { client } = makeClient();
    for (let i = 0; i < 8; i++) await client.call(i % 2 === 0 ? 'DescribeCertificates' : 'DescribeCertificateDetail', {});
    expect(server.requests).toHaveLength(8);
    // sequential calls: the pool may keep a second socket warm, but never opens one per call
    expect(new Set(server.requests.map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
  });

  it('sends X-TC-Region only for actions that use a region, from config or per call', async () => {
    const withRegion = makeClient({ region: 'ap-guangzhou' }).client;
    await withRegion.call('DeployCertificateInstance', { CertificateId: 'c' });
    await withRegion.call('DeployCertificateInstance', { CertificateId: 'c' }, { region: 'ap-shanghai' });
    await withRegion.call('DescribeRegionalThing', {});
    await withRegion.call('ApplyCertificate', {}, { region: 'ap-shanghai' });
    const without = makeClient().client;
    await without.call('DeployCertificateInstance', { CertificateId: 'c' });
    expect(server.requests.map((r) => r.headers['x-tc-region'])).toEqual(['ap-guangzhou', 'ap-shanghai', 'ap-guangzhou', undefined, undefined]);
    expect(server.requests.every((r) => r.verify.ok)).toBe(true);
  });

  it('refuses an action that requires a region when none is known, without calling', async () => {
    const { client } = makeClient();
    await expect(client.call('DescribeRegionalThing', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(server.requests).toHaveLength(0);
  });

  it('sends X-TC-Token for temporary credentials and X-TC-Language when configured', async () => {
    server.respond(verified(ok()));
    const { client } = makeClient({
      credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, sessionToken: 'sts-token-value' },
      language: 'en-US',
    });
    await client.call('DescribeCertificates', {});
    await client.call('DescribeCertificates', {}, { language: 'zh-CN' });
    expect(server.requests.map((r) => r.headers['x-tc-token'])).toEqual(['sts-token-value', 'sts-token-value']);
    expect(server.requests.map((r) => r.headers['x-tc-language'])).toEqual(['en-US', 'zh-CN']);
    expect(server.requests.every((r) => r.verify.ok)).toBe(true);
  });

  it('asks a credentials provider before every attempt (rotation)', async () => {
    const secretIds: string[] = [];
    const { client } = makeClient({
      credentials: () => {
        const id = `${SECRET_ID}${secretIds.length}`;
        secretIds.push(id);
        return { secretId: id, secretKey: SECRET_KEY };
      },
    });
    await client.call('DescribeCertificates', {});
    await client.call('DescribeCertificates', {});
    expect(server.requests.map((r) => parseAuthorization(r.headers.authorization)?.secretId)).toEqual(secretIds);
  });

  it('rejects unknown or malformed action names without calling', async () => {
    const { client } = makeClient();
    await expect(client.call('NoSuchAction', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client.call('Describe\r\nX-Evil: 1', {})).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('UpstreamClient: reads are retried on transient failures', () => {
  const http502: Handler = (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>Bad Gateway</html>');
  };
  const malformed: Handler = (_req, res) => sendJson(res, '{"Response": {"TotalCount": 1,', 200);

  it.each([
    ['HTTP 502', http502],
    ['a connection reset after the request was sent', resetAfterSend],
    ['InternalError', fail('InternalError', 'internal error')],
    ['InternalError.BackendResponseEmpty', fail('InternalError.BackendResponseEmpty')],
    ['a malformed body', malformed],
    ['RequestLimitExceeded', fail('RequestLimitExceeded')],
  ])('recovers after %s', async (_name, first) => {
    server.respond(first, ok({ TotalCount: 7 }));
    const { client, sleeps, events } = makeClient();
    const out = await client.call('DescribeCertificates', {});
    expect(out.TotalCount).toBe(7);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([50]); // full jitter: random 0.5 * min(2000, 100 * 2^0)
    expect(events.map((e) => [e.attempt, e.outcome, e.willRetry])).toEqual([
      [1, 'error', true],
      [2, 'success', false],
    ]);
  });

  it('recovers after a timeout', async () => {
    server.respond(hang, ok({ TotalCount: 3 }));
    // Long enough that the second (answered) attempt never times out on a loaded machine.
    const { client } = makeClient({ requestTimeoutMs: 1_500 });
    const out = await client.call('DescribeCertificates', {});
    expect(out.TotalCount).toBe(3);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxAttempts with backoff growing exponentially', async () => {
    server.respond(fail('InternalError', 'still broken'));
    const { client, sleeps, events } = makeClient({ maxAttempts: 4 });
    const err = await rejection(client.call('DescribeCertificates', {}));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UPSTREAM_INTERNAL', httpStatus: 502, upstreamCode: 'InternalError', attempts: 4, message: 'still broken' });
    expect(err.requestId).toMatch(/^0000/);
    expect(server.requests).toHaveLength(4);
    expect(sleeps).toEqual([50, 100, 200]);
    expect(events.map((e) => e.willRetry)).toEqual([true, true, true, false]);
  });

  it('caps the backoff at retryMaxDelayMs', async () => {
    server.respond(fail('InternalError'));
    const { client, sleeps } = makeClient({ maxAttempts: 6, random: () => 0.999, retryBaseDelayMs: 100, retryMaxDelayMs: 250 });
    await rejection(client.call('DescribeCertificates', {}));
    expect(sleeps).toEqual([99, 199, 249, 249, 249]);
  });

  it('times out with UPSTREAM_TIMEOUT 504 when every attempt hangs', async () => {
    server.respond(hang);
    const { client } = makeClient({ requestTimeoutMs: 200, maxAttempts: 2 });
    const err = await rejection(client.call('DescribeCertificates', {}));
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT', httpStatus: 504, upstreamCode: TransportCode.Timeout, outcomeUnknown: true, attempts: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry definitive errors, even for reads', async () => {
    server.respond(fail('FailedOperation.CertificateNotFound', '证书不存在。'));
    const { client, sleeps } = makeClient();
    const err = await rejection(client.call('DescribeCertificateDetail', { CertificateId: 'nope' }));
    expect(err).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404, upstreamCode: 'FailedOperation.CertificateNotFound', message: '证书不存在。', outcomeUnknown: false });
    expect(err.requestId).toBeDefined();
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('classifies by the body when an error envelope comes with HTTP 500', async () => {
    server.respond(fail('FailedOperation.CertificateExists', 'exists', 500));
    const { client } = makeClient();
    const err = await rejection(client.call('DescribeCertificates', {}));
    expect(err).toMatchObject({ code: 'CONFLICT', upstreamCode: 'FailedOperation.CertificateExists', upstreamHttpStatus: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry a non-5xx HTTP error without an envelope', async () => {
    server.respond((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    });
    const { client } = makeClient();
    const err = await rejection(client.call('DescribeCertificates', {}));
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: TransportCode.HttpStatus, upstreamHttpStatus: 404 });
    expect(server.requests).toHaveLength(1);
  });

  it('treats an envelope without RequestId or with a code-less Error as malformed', async () => {
    server.respond(
      (_req, res) => sendJson(res, { Response: { TotalCount: 1 } }),
      (_req, res) => sendJson(res, { Response: { Error: { Message: 'x' }, RequestId: requestId() } }),
      (_req, res) => sendJson(res, { NotResponse: {} }),
    );
    const { client } = makeClient();
    const err = await rejection(client.call('DescribeCertificates', {}));
    expect(err).toMatchObject({ upstreamCode: TransportCode.MalformedResponse, attempts: 3 });
  });
});

describe('UpstreamClient: writes are never replayed once they may have reached the server', () => {
  const http503: Handler = (_req, res) => {
    res.writeHead(503);
    res.end();
  };
  it.each([
    ['a connection reset after the request was sent', resetAfterSend, TransportCode.ConnectionLost, 'UPSTREAM_UNAVAILABLE'],
    ['HTTP 503', http503, TransportCode.HttpServerError, 'UPSTREAM_UNAVAILABLE'],
    ['InternalError', fail('InternalError'), 'InternalError', 'UPSTREAM_INTERNAL'],
    ['a malformed body', (_req, res) => sendJson(res, 'not json at all'), TransportCode.MalformedResponse, 'UPSTREAM_UNAVAILABLE'],
    ['a timeout', hang, TransportCode.Timeout, 'UPSTREAM_TIMEOUT'],
  ] as [string, Handler, string, string][])('no replay after %s', async (_name, first, upstreamCode, code) => {
    server.respond(first, ok());
    // Long enough that an immediate answer is never mistaken for a timeout on a loaded machine.
    const { client, sleeps, events } = makeClient({ requestTimeoutMs: 1_500 });
    const err = await rejection(client.call('ApplyCertificate', { DvAuthMethod: 'DNS_AUTO', DomainName: 'example.com' }));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code, upstreamCode, outcomeUnknown: true, attempts: 1, action: 'ApplyCertificate' });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(events).toEqual([expect.objectContaining({ attempt: 1, outcome: 'error', willRetry: false })]);
  });

  it.each(['RequestLimitExceeded', 'RequestLimitExceeded.UinLimitExceeded', 'LimitExceeded.RateLimitExceeded'])(
    'retries a write rejected with %s (proof of non-execution)',
    async (code) => {
      server.respond(fail(code), ok({ CertificateId: 'new-cert' }));
      const { client } = makeClient();
      const out = await client.call('ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: 'example.com' });
      expect(out.CertificateId).toBe('new-cert');
      expect(server.requests).toHaveLength(2);
    },
  );

  it('gives up on a write after maxAttempts rate-limit rejections', async () => {
    server.respond(fail('RequestLimitExceeded'));
    const { client } = makeClient({ maxAttempts: 2 });
    const err = await rejection(client.call('ApplyCertificate', {}));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, attempts: 2, outcomeUnknown: false });
    expect(server.requests).toHaveLength(2);
  });

  it('retries a write when the connection was refused (nothing sent) and succeeds once the server is up', async () => {
    const port = await freePort();
    let late: TestServer | undefined;
    const { client } = makeClient({
      endpoint: `http://127.0.0.1:${port}`,
      sleep: async () => {
        late ??= await startServer({ port });
        late.respond(ok({ CertificateId: 'after-refused' }));
      },
    });
    try {
      const out = await client.call('ApplyCertificate', { DomainName: 'example.com' });
      expect(out.CertificateId).toBe('after-refused');
      expect(late?.requests).toHaveLength(1);
    } finally {
      await client.close();
      await late?.close();
    }
  });

  it('reports a refused connection as UPSTREAM_UNAVAILABLE with outcome known (not executed)', async () => {
    const port = await freePort();
    const { client, sleeps } = makeClient({ endpoint: `http://127.0.0.1:${port}` });
    const err = await rejection(client.call('ApplyCertificate', {}));
    expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstreamCode: TransportCode.ConnectFailed, outcomeUnknown: false, attempts: 3 });
    expect(sleeps).toHaveLength(2);
  });
});

describe('UpstreamClient: clock skew', () => {
  const T0 = Date.UTC(2030, 0, 15, 23, 58, 0); // near a UTC midnight: the credential date changes too

  it.each([
    ['ahead', 600],
    ['behind', -600],
  ])('learns the offset from the Date header when the server is 10 minutes %s, re-signs once and keeps it', async (_n, skewSeconds) => {
    server.setServerNow(() => T0 / 1000 + skewSeconds);
    server.respond(verified(ok({ CertificateId: 'c1' })));
    const { client, events } = makeClient({ clock: () => T0, maxAttempts: 1 });

    const out = await client.call('ApplyCertificate', { DomainName: 'example.com' }); // a write: proof of non-execution
    expect(out.CertificateId).toBe('c1');
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first.verify).toMatchObject({ ok: false, code: 'AuthFailure.SignatureExpire' });
    expect(first.timestamp).toBe(T0 / 1000);
    expect(second.verify.ok).toBe(true);
    expect(second.timestamp).toBe(T0 / 1000 + skewSeconds);
    expect(client.clockOffsetMs).toBe(skewSeconds * 1000);
    expect(events[0]).toMatchObject({ outcome: 'error', upstreamCode: 'AuthFailure.SignatureExpire', willRetry: true, clockSkewCorrected: true, retryDelayMs: 0 });

    // later calls are signed with the corrected clock straight away
    await client.call('DescribeCertificates', {});
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2].timestamp).toBe(T0 / 1000 + skewSeconds);
    expect(server.requests[2].verify.ok).toBe(true);
  });

  it('does not count the re-sign against the retry budget', async () => {
    server.setServerNow(() => T0 / 1000 + 600);
    const internal = verified(fail('InternalError'));
    server.respond(internal, internal, internal, verified(ok({ TotalCount: 1 }))); // the first one answers SignatureExpire
    const { client, sleeps } = makeClient({ clock: () => T0, maxAttempts: 3 });
    const out = await client.call('DescribeCertificates', {});
    expect(out.TotalCount).toBe(1);
    // 1 expired + 2 InternalError + 1 success = 4 requests for maxAttempts 3; backoff starts at the first real retry
    expect(server.requests.map((r) => r.verify.ok)).toEqual([false, true, true, true]);
    expect(sleeps).toEqual([50, 100]);
  });

  it('re-signs only once when the server keeps answering SignatureExpire', async () => {
    server.respond(fail('AuthFailure.SignatureExpire', 'expired', 200, { Date: new Date(T0 + 3_600_000).toUTCString() }));
    const { client } = makeClient({ clock: () => T0 });
    const err = await rejection(client.call('DescribeCertificates', {}));
    expect(err).toMatchObject({ code: 'UPSTREAM_AUTH', upstreamCode: 'AuthFailure.SignatureExpire' });
    expect(server.requests).toHaveLength(2);
  });

  it('fails without retrying when SignatureExpire comes without a usable Date header', async () => {
    server.respond((_req, res) => {
      res.sendDate = false;
      sendJson(res, { Response: { Error: { Code: 'AuthFailure.SignatureExpire', Message: 'expired' }, RequestId: requestId() } });
    });
    const { client } = makeClient({ clock: () => T0 });
    const err = await rejection(client.call('DescribeCertificates', {}));
    expect(err).toMatchObject({ code: 'UPSTREAM_AUTH' });
    expect(server.requests).toHaveLength(1);
    expect(client.clockOffsetMs).toBe(0);
  });
});

describe('UpstreamClient: secrets stay secret', () => {
  it('scrubs the secret key, session token and Authorization header from errors and events', async () => {
    server.respond((req, res) =>
      sendJson(res, {
        Response: {
          Error: { Code: 'InternalError', Message: `echo ${req.headers.authorization} key=${SECRET_KEY} token=${String(req.headers['x-tc-token'])}` },
          RequestId: requestId(),
        },
      }),
    );
    const { client, events } = makeClient({
      credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY, sessionToken: 'secret-session-token' },
      maxAttempts: 2,
    });
    const err = await rejection(client.call('DescribeCertificates', {}));
    const texts = [err.message, String(err), err.stack ?? '', JSON.stringify(err), JSON.stringify(events)];
    for (const t of texts) {
      expect(t).not.toContain(SECRET_KEY);
      expect(t).not.toContain('secret-session-token');
      expect(t).not.toMatch(/Signature=[0-9a-f]{16}/);
    }
    expect(err.message).toContain('[redacted');
  });
});

describe('UpstreamClient: cancellation and limiter', () => {
  it('rejects with the caller abort reason and does not retry', async () => {
    server.respond(hang);
    const { client } = makeClient({ requestTimeoutMs: 10_000 });
    const ac = new AbortController();
    const p = client.call('DescribeCertificates', {}, { signal: ac.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const reason = new Error('caller gave up');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('paces calls through the default per-action limiter and rejects beyond the max wait without sending', async () => {
    const { client } = makeClient({
      limiter: undefined,
      rateLimitMaxWaitMs: 0,
      policies: createPolicyLookup({ DescribeCertificates: { rateLimit: 1, region: 'none', kind: 'read' } }),
    });
    const results = await Promise.allSettled([client.call('DescribeCertificates', {}), client.call('DescribeCertificates', {})]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED', details: { source: 'gateway' } });
    expect(server.requests).toHaveLength(1);
  });
});

describe('UpstreamClient: an aborted call tells whether it was sent', () => {
  /** A limiter whose budget for every action is spent: callers stay queued until they give up. */
  const spentLimiter: RateLimiter = {
    acquire: (_action, signal) =>
      new Promise((_resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
  /** A backoff pause that lasts until the caller gives up; `paused` tells when a call is in it. */
  let paused = false;
  const endlessSleep = (_ms: number, signal?: AbortSignal) =>
    new Promise<void>((_resolve, reject) => {
      paused = true;
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  beforeEach(() => {
    paused = false;
  });
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setTimeout(r, 5));
  };

  it('a write aborted while queued for its rate-limit slot was not sent: CallNotSentError with the abort reason, nothing reaches the server', async () => {
    server.respond(ok());
    const { client, events } = makeClient({ limiter: spentLimiter });
    const ac = new AbortController();
    const p = client.call('ApplyCertificate', { DomainName: 'a.test' }, { signal: ac.signal });
    const reason = new Error('deadline');
    ac.abort(reason);
    const err = await rejection(p);
    expect(err).toBeInstanceOf(CallNotSentError);
    expect(err).toMatchObject({ name: 'CallNotSentError', action: 'ApplyCertificate', cause: reason });
    expect(server.requests).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it('a write aborted while waiting for a connection of the pool was not sent', async () => {
    server.respond(hang, ok());
    const { client } = makeClient({ maxConnections: 1, requestTimeoutMs: 10_000 });
    const holder = new AbortController();
    const first = client.call('DescribeCertificates', {}, { signal: holder.signal });
    await until(() => server.requests.length === 1);
    const ac = new AbortController();
    const second = client.call('ApplyCertificate', { DomainName: 'b.test' }, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 20));
    ac.abort(new Error('deadline'));
    expect(await rejection(second)).toBeInstanceOf(CallNotSentError);
    holder.abort(new Error('done'));
    await rejection(first);
    expect(server.requests.map((r) => r.headers['x-tc-action'])).toEqual(['DescribeCertificates']);
  });

  it('a write aborted after it was written rejects with the abort reason itself (its outcome is unknown)', async () => {
    server.respond(hang);
    const { client } = makeClient({ requestTimeoutMs: 10_000 });
    const ac = new AbortController();
    const p = client.call('ApplyCertificate', { DomainName: 'c.test' }, { signal: ac.signal });
    await until(() => server.requests.length === 1);
    const reason = new Error('deadline');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
  });

  it('a write aborted in the pause after an answer that proves non-execution (RequestLimitExceeded) was not sent', async () => {
    server.respond(fail('RequestLimitExceeded'));
    const { client } = makeClient({ sleep: endlessSleep });
    const ac = new AbortController();
    const p = client.call('ApplyCertificate', { DomainName: 'd.test' }, { signal: ac.signal });
    await until(() => paused);
    ac.abort(new Error('deadline'));
    expect(await rejection(p)).toBeInstanceOf(CallNotSentError);
    expect(server.requests).toHaveLength(1);
  });

  it('a read aborted in the pause after an InternalError (which may have executed) rejects with the abort reason', async () => {
    server.respond(fail('InternalError'));
    const { client } = makeClient({ sleep: endlessSleep });
    const ac = new AbortController();
    const p = client.call('DescribeCertificates', {}, { signal: ac.signal });
    await until(() => paused);
    const reason = new Error('deadline');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
  });
});

describe('UpstreamClient: the rate-limit start check at the moment the request is written', () => {
  /** A limiter whose permits report "late" per the queue `late` (then on time). */
  /** undici frees a socket for the next request one event-loop turn after a response. */
  const idle = () => new Promise((r) => setTimeout(r, 20));

  function scriptedLimiter(late: boolean[]) {
    const acquired: (AcquireOptions | undefined)[] = [];
    let released = 0;
    const limiter: RateLimiter = {
      acquire: async (_action, _signal, options) => {
        acquired.push(options);
        const isLate = late.shift() ?? false;
        return { late: () => isLate, release: () => void released++ };
      },
    };
    return { limiter, acquired, released: () => released };
  }

  it('a request that could only be written after its slot allows is not sent: it waits for another slot, first in line, on the same connection', async () => {
    server.respond(ok());
    const lim = scriptedLimiter([false, true, false]);
    const { client, events } = makeClient({ limiter: lim.limiter });
    await client.call('DescribeCertificates', {}); // opens the connection
    await idle();
    await client.call('DescribeCertificates', {});
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].remotePort).toBe(server.requests[0].remotePort); // the refusal kept the connection
    expect(lim.acquired).toEqual([undefined, undefined, { requeue: true }]);
    expect(lim.released()).toBe(1);
    // Nothing was sent for the lost slot: not an attempt, no event.
    expect(events.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'success'],
      [1, 'success'],
    ]);
  });

  it('a late start on a connection opened for it goes (connecting made it late; refusing would never end)', async () => {
    server.respond(ok());
    const lim = scriptedLimiter([true]);
    const { client } = makeClient({ limiter: lim.limiter });
    await client.call('DescribeCertificates', {});
    expect(server.requests).toHaveLength(1);
    expect(lim.acquired).toEqual([undefined]);
  });

  it('a strict permit (sliding window) is refused even on a connection opened for it; the call goes on that connection when it books again', async () => {
    server.respond(ok());
    const late = [true, false];
    let released = 0;
    const acquired: (AcquireOptions | undefined)[] = [];
    const limiter: RateLimiter = {
      acquire: async (_action, _signal, options) => {
        acquired.push(options);
        const isLate = late.shift() ?? false;
        return { late: () => isLate, release: () => void released++, strict: true };
      },
    };
    const { client, events } = makeClient({ limiter });
    await client.call('DescribeCertificates', {});
    expect(server.requests).toHaveLength(1);
    expect(acquired).toEqual([undefined, { requeue: true }]);
    expect(released).toBe(1);
    expect(events.map((e) => [e.attempt, e.outcome])).toEqual([[1, 'success']]);
    expect(events[0].sentAt).toEqual(expect.any(Number));
    expect(events[0].queueWaitMs).toEqual(expect.any(Number));
  });

  it('a call that keeps losing its slot fails with RATE_LIMITED after 5 lost starts, having sent nothing', async () => {
    server.respond(ok());
    const lim = scriptedLimiter([false, true, true, true, true, true, true]);
    const { client } = makeClient({ limiter: lim.limiter });
    await client.call('DescribeCertificates', {});
    await idle();
    await expect(client.call('DescribeCertificates', {})).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: { action: 'DescribeCertificates', source: 'gateway', reason: 'LATE_START' },
    });
    expect(server.requests).toHaveLength(1);
    expect(lim.acquired).toHaveLength(7);
    expect(lim.released()).toBe(6);
  });

  it('a given dispatcher is used as is (no start check: its connections are not ours to judge)', async () => {
    server.respond(ok());
    const { Agent } = await import('undici');
    const dispatcher = new Agent();
    try {
      const lim = scriptedLimiter([false, true]);
      const { client } = makeClient({ limiter: lim.limiter, dispatcher });
      await client.call('DescribeCertificates', {});
      await client.call('DescribeCertificates', {});
      expect(server.requests).toHaveLength(2);
      expect(lim.acquired).toHaveLength(2);
    } finally {
      await dispatcher.close();
    }
  });
});

describe('helpers', () => {
  it('stripNulls removes null members recursively and keeps array positions', () => {
    expect(stripNulls({ a: null, b: { c: null, d: 1 }, e: [1, null, { f: null }] })).toEqual({ b: { d: 1 }, e: [1, null, {}] });
  });

  it('classifyNetworkError distinguishes connect failures, timeouts and lost connections', () => {
    expect(classifyNetworkError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(TransportCode.ConnectFailed);
    expect(classifyNetworkError(new Error('wrapped', { cause: Object.assign(new Error('y'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }) }))).toBe(
      TransportCode.ConnectFailed,
    );
    expect(classifyNetworkError(Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))).toBe(TransportCode.ConnectFailed);
    expect(classifyNetworkError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(TransportCode.Timeout);
    expect(classifyNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(TransportCode.ConnectionLost);
    expect(classifyNetworkError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe(TransportCode.ConnectionLost);
  });
});
