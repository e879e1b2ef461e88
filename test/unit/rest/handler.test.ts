/**
 * The REST handler against a scripted upstream: HTTP behaviour (routing, bodies, errors) and the
 * translation of each resource route to upstream calls. The simulator-backed suite in
 * test/integration/rest covers the same routes end to end.
 */
import { describe, expect, it } from 'vitest';
import { createRestHandler } from '../../../src/rest';
import { GatewayError, TransportCode, UpstreamError } from '../../../src/upstream/errors';
import type { WaitClock } from '../../../src/tasks/wait';
import { ScriptedUpstream, parse, request } from './helpers';

function setup(options: { maxBodyBytes?: number } = {}) {
  const upstream = new ScriptedUpstream();
  let now = 0;
  const slept: number[] = [];
  const clock: WaitClock = {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
  const handler = createRestHandler({ upstream, clock, waitPolicy: { initialDelayMs: 500, maxDelayMs: 2000, maxWaitSeconds: 5 }, ...options });
  return { upstream, handler, slept };
}

const upstreamError = (action: string, code: string, message = 'upstream says no') =>
  new UpstreamError({ action, upstreamCode: code, message, requestId: `req-${code}` });

describe('generic action route', () => {
  it('validates the body, calls the action and answers the response with RequestId', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    const res = await handler(request('POST', '/v1/actions/DescribeCertificates', { body: { Limit: 5, SearchKey: 'www' } }));
    expect(res.status).toBe(200);
    expect(parse(res)).toEqual({ TotalCount: 0, Certificates: [], RequestId: 'up-DescribeCertificates-0' });
    expect(upstream.calls).toEqual([{ action: 'DescribeCertificates', params: { Limit: 5, SearchKey: 'www' } }]);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-request-id']).toMatch(/^gw-/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('treats an empty body as {}', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCompanies', { TotalCount: 0, Companies: [] });
    expect((await handler(request('POST', '/v1/actions/DescribeCompanies'))).status).toBe(200);
    expect(upstream.calls[0].params).toEqual({});
  });

  it('refuses an invalid body with 400 and field paths, before any upstream call', async () => {
    const { upstream, handler } = setup();
    const res = await handler(request('POST', '/v1/actions/DeleteCertificates', { body: { CertificateIds: ['a', 'b', 'c', 4], Extra: 1 } }));
    expect(res.status).toBe(400);
    const body = parse(res);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.requestId).toBe(res.headers['x-request-id']);
    expect(body.error.details.action).toBe('DeleteCertificates');
    expect(body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(['Extra', 'CertificateIds[3]']);
    expect(body.error.message).toContain('CertificateIds[3]: expected String, got integer');
    expect(upstream.calls).toEqual([]);
  });

  it('refuses a JSON body that is not an object', async () => {
    const { handler } = setup();
    const res = await handler(request('POST', '/v1/actions/DescribeCertificates', { body: [1, 2] }));
    expect(res.status).toBe(400);
    expect(parse(res).error.details.fields).toEqual([{ path: '', reason: 'body', message: 'the body must be a JSON object, got array' }]);
  });

  it.each([
    ['an unknown action', '/v1/actions/DescribeNothing'],
    ['a lower-case action', '/v1/actions/describeCertificates'],
    ['an action with odd characters', '/v1/actions/Describe%00Certificates'],
    ['bad percent-encoding', '/v1/actions/%E0%A4%A'],
  ])('answers 404 for %s', async (_, path) => {
    const { upstream, handler } = setup();
    const res = await handler(request('POST', path, { body: {} }));
    expect(res.status).toBe(404);
    const body = parse(res);
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toMatch(/^Unknown action .*GET \/v1\/actions lists the 68 documented actions/);
    expect(upstream.calls).toEqual([]);
  });

  it('answers 405 with Allow for GET on an action', async () => {
    const { handler } = setup();
    const res = await handler(request('GET', '/v1/actions/DescribeCertificates'));
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST, OPTIONS');
    expect(parse(res).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('lists the 68 actions', async () => {
    const { handler } = setup();
    const body = parse(await handler(request('GET', '/v1/actions')));
    expect(body.TotalCount).toBe(68);
    expect(body.Actions.find((a: { Name: string }) => a.Name === 'DescribeCertificates')).toMatchObject({ Kind: 'read', Route: '/v1/actions/DescribeCertificates' });
  });
});

describe('request bodies', () => {
  it('answers 400 for malformed JSON, with the position only', async () => {
    const { upstream, handler } = setup();
    const res = await handler(request('POST', '/v1/actions/DescribeCertificates', { raw: '{"Limit": 1,', headers: { 'content-type': 'application/json' } }));
    expect(res.status).toBe(400);
    const body = parse(res);
    expect(body.error.message).toBe('The request body is not valid JSON');
    expect(body.error.details.reason).toBe('malformedJson');
    expect(upstream.calls).toEqual([]);
  });

  it('accepts a UTF-8 BOM and application/json with charset', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    const res = await handler(
      request('POST', '/v1/actions/DescribeCertificates', { raw: '\ufeff{"Limit":1}', headers: { 'content-type': 'application/json; charset=UTF-8' } }),
    );
    expect(res.status).toBe(200);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
    ['no content type', undefined],
    ['another charset', 'application/json; charset=latin1'],
  ])('answers 415 for %s', async (_, ct) => {
    const { upstream, handler } = setup();
    const res = await handler(request('POST', '/v1/actions/DescribeCertificates', { raw: '{}', headers: ct ? { 'content-type': ct } : {} }));
    expect(res.status).toBe(415);
    expect(parse(res).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(upstream.calls).toEqual([]);
  });

  it('answers 413 when content-length exceeds the limit, before reading the body', async () => {
    const { handler } = setup({ maxBodyBytes: 100 });
    const res = await handler(request('POST', '/v1/actions/DescribeCertificates', { raw: '{}', headers: { 'content-type': 'application/json', 'content-length': '101' } }));
    expect(res.status).toBe(413);
    expect(parse(res).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { maxBodyBytes: 100, bodyBytes: 101 } });
  });

  it('answers 413 when the actual body exceeds the limit whatever content-length says', async () => {
    const { handler } = setup({ maxBodyBytes: 100 });
    const raw = JSON.stringify({ SearchKey: 'x'.repeat(200) });
    const res = await handler(request('POST', '/v1/actions/DescribeCertificates', { raw, headers: { 'content-type': 'application/json', 'content-length': '10' } }));
    expect(res.status).toBe(413);
  });

  it('defaults the limit to 1 MiB', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    const under = JSON.stringify({ SearchKey: 'x'.repeat(1024 * 1024 - 20) });
    expect((await handler(request('POST', '/v1/actions/DescribeCertificates', { raw: under, headers: { 'content-type': 'application/json' } }))).status).toBe(200);
    const over = JSON.stringify({ SearchKey: 'x'.repeat(1024 * 1024) });
    expect((await handler(request('POST', '/v1/actions/DescribeCertificates', { raw: over, headers: { 'content-type': 'application/json' } }))).status).toBe(413);
  });

  it.each([
    ['a lone FF byte', [0xff]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('answers 400 for a body that is not valid UTF-8 (%s), never a U+FFFD sent upstream', async (_, bytes) => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    const raw = Buffer.concat([Buffer.from('{"SearchKey":"a'), Buffer.from(bytes), Buffer.from('b"}')]);
    const res = await handler(request('POST', '/v1/actions/DescribeCertificates', { raw, headers: { 'content-type': 'application/json' } }));
    expect(res.status).toBe(400);
    expect(parse(res).error).toMatchObject({ code: 'BAD_REQUEST', message: 'The request body is not valid UTF-8', details: { reason: 'malformedUtf8' } });
    expect(upstream.calls).toEqual([]);
  });

  it('accepts one UTF-8 BOM but not two, and keeps a valid U+FFFD the client sent', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    const two = await handler(request('POST', '/v1/actions/DescribeCertificates', { raw: '\ufeff\ufeff{}', headers: { 'content-type': 'application/json' } }));
    expect(parse(two).error.message).toBe('The request body is not valid JSON');
    const ok = await handler(request('POST', '/v1/actions/DescribeCertificates', { raw: '{"SearchKey":"a\ufffdb"}', headers: { 'content-type': 'application/json' } }));
    expect(ok.status).toBe(200);
    expect(upstream.calls).toEqual([{ action: 'DescribeCertificates', params: { SearchKey: 'a\ufffdb' } }]);
  });

  it('refuses an invalid maxBodyBytes option', () => {
    expect(() => createRestHandler({ upstream: new ScriptedUpstream(), maxBodyBytes: 0 })).toThrow(RangeError);
  });
});

describe('routing and HTTP', () => {
  it('answers 404 for unknown paths, including outside /v1', async () => {
    const { handler } = setup();
    for (const path of ['/v1/nothing', '/v2/certificates', '/', '/v1']) {
      const res = await handler(request('GET', path));
      expect(res.status, path).toBe(404);
      expect(parse(res).error.code).toBe('NOT_FOUND');
    }
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    const { handler } = setup();
    const res = await handler(request('OPTIONS', '/v1/certificates/abc'));
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe('DELETE, GET, HEAD, OPTIONS');
  });

  it('refuses a repeated query parameter with 400 naming it, scalar or list, before any upstream call', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    // As the Lambda adapter reports `?limit=1&limit=5000` and `?status=1&status=3`.
    for (const [name, value] of [
      ['limit', '1,5000'],
      ['status', '1,3'],
    ]) {
      const req = { ...request('GET', `/v1/certificates?${name}=${value}`), queryRepeats: [name] };
      const res = await handler(req);
      expect(res.status, name).toBe(400);
      const body = parse(res);
      expect(body.error.code).toBe('BAD_REQUEST');
      expect(body.error.message).toContain(`Query parameter ${name} is repeated`);
      expect(body.error.details.fields.map((f: { path: string }) => f.path)).toEqual([name]);
    }
    expect(upstream.calls).toEqual([]);
    // One parameter with comma-separated items is the documented list form.
    expect((await handler(request('GET', '/v1/certificates?status=1,3'))).status).toBe(200);
  });

  it('reports query names inherited from Object.prototype as unknown, like any other', async () => {
    const { upstream, handler } = setup();
    for (const name of ['constructor', 'toString', '__proto__']) {
      const req = request('GET', '/v1/certificates');
      // As the Lambda adapter builds it: a record without a prototype.
      req.query = Object.defineProperty(Object.create(null) as Record<string, string>, name, { value: 'yes', enumerable: true });
      const res = await handler(req);
      expect(res.status, name).toBe(400);
      expect(parse(res).error.details.fields.map((f: { path: string }) => f.path), name).toEqual([name]);
    }
    expect(upstream.calls).toEqual([]);
  });

  it('answers HEAD like GET without a body', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    const res = await handler(request('HEAD', '/v1/certificates'));
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
  });
});

describe('error mapping (the shared table)', () => {
  it.each([
    ['FailedOperation.CertificateNotFound', 404, 'NOT_FOUND'],
    ['InvalidParameter.ContainsInvalidDomain', 400, 'BAD_REQUEST'],
    ['UnauthorizedOperation', 403, 'FORBIDDEN'],
    ['FailedOperation.CertificateDeployHasPendingRecord', 409, 'CONFLICT'],
    ['FailedOperation.CertificateStatusNotAllowReplace', 409, 'FAILED_PRECONDITION'],
    ['RequestLimitExceeded', 429, 'RATE_LIMITED'],
    ['InternalError', 502, 'UPSTREAM_INTERNAL'],
    ['AuthFailure.SecretIdNotFound', 502, 'UPSTREAM_AUTH'],
    [TransportCode.Timeout, 504, 'UPSTREAM_TIMEOUT'],
    ['Something.Undocumented', 502, 'UPSTREAM_INTERNAL'],
  ])('%s → %i %s, with the upstream details', async (code, status, gatewayCode) => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificateDetail', upstreamError('DescribeCertificateDetail', code));
    const res = await handler(request('GET', '/v1/certificates/abc'));
    expect(res.status).toBe(status);
    const body = parse(res);
    expect(body.error.code).toBe(gatewayCode);
    expect(body.error.upstream).toEqual({ action: 'DescribeCertificateDetail', code, message: 'upstream says no', requestId: `req-${code}` });
    expect(body.error.requestId).toBe(res.headers['x-request-id']);
    if (status === 429) expect(res.headers['retry-after']).toBe('1');
  });

  it('marks writes whose outcome is unknown', async () => {
    const { upstream, handler } = setup();
    upstream.on('ModifyCertificateAlias', upstreamError('ModifyCertificateAlias', 'InternalError'));
    const res = await handler(request('POST', '/v1/actions/ModifyCertificateAlias', { body: { CertificateId: 'a', Alias: 'b' } }));
    expect(res.status).toBe(502);
    expect(parse(res).error.details).toEqual({ outcomeUnknown: true });
  });

  it('uses the gateway limiter’s retry hint for Retry-After', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', new GatewayError('RATE_LIMITED', 'queue full', { details: { retryAfterMs: 2500, source: 'gateway' } }));
    const res = await handler(request('GET', '/v1/certificates'));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
  });

  it('reports masked errors to onUnexpectedError, and only those', async () => {
    const upstream = new ScriptedUpstream();
    const seen: unknown[] = [];
    const handler = createRestHandler({ upstream, onUnexpectedError: (e) => seen.push(e) });
    const boom = new RangeError('boom');
    upstream.on('DescribeCertificates', boom, upstreamError('DescribeCertificates', 'InternalError'));
    expect((await handler(request('GET', '/v1/certificates'))).status).toBe(500);
    expect((await handler(request('GET', '/v1/certificates'))).status).toBe(502);
    expect(seen).toEqual([boom]);
    const throwing = createRestHandler({ upstream, onUnexpectedError: () => { throw new Error('logger down'); } });
    upstream.on('DescribeCertificates', boom);
    expect((await throwing(request('GET', '/v1/certificates'))).status).toBe(500);
  });

  it('masks unexpected errors as 500 without internals', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', new TypeError('secret internal detail at /srv/app.js:1'));
    const res = await handler(request('GET', '/v1/certificates'));
    expect(res.status).toBe(500);
    expect(parse(res)).toEqual({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error', requestId: res.headers['x-request-id'] } });
    expect(res.body).not.toContain('secret');
  });
});

describe('path ids', () => {
  it.each([
    ['/v1/certificates/a%2Fb', 'certificate'],
    ['/v1/certificates/' + 'x'.repeat(65), 'certificate'],
    ['/v1/certificates/-abc', 'certificate'],
    ['/v1/certificates/%E0%A4%A', 'percent'],
    ['/v1/certificates/a%20b/download-url', 'certificate'],
    ['/v1/bind-resource-tasks/t%3B1', 'task'],
    ['/v1/delete-tasks/.hidden', 'task'],
    ['/v1/deployments/deploy/abc', 'record'],
    ['/v1/deployments/deploy/0', 'record'],
    ['/v1/deployments/update/-1', 'record'],
  ])('refuses %s with 400', async (path) => {
    const { upstream, handler } = setup();
    const res = await handler(request('GET', path));
    expect(res.status).toBe(400);
    const body = parse(res);
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.details.fields[0].path).toBe('id');
    expect(upstream.calls).toEqual([]);
  });

  it('answers 404 for an unknown deployment kind', async () => {
    const { handler } = setup();
    const res = await handler(request('GET', '/v1/deployments/redeploy/1'));
    expect(res.status).toBe(404);
    expect(parse(res).error.message).toContain('deploy, update or upload-update');
  });
});

describe('certificate routes', () => {
  it('GET /v1/certificates maps query parameters to DescribeCertificates', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificates', { TotalCount: 0, Certificates: [] });
    const res = await handler(request('GET', '/v1/certificates?offset=20&limit=10&searchKey=www&status=1,3&isSM=0&certIds=a,b&expirationSort=ASC'));
    expect(res.status).toBe(200);
    expect(upstream.calls[0].params).toEqual({ Offset: 20, Limit: 10, SearchKey: 'www', CertificateStatus: [1, 3], IsSM: 0, CertIds: ['a', 'b'], ExpirationSort: 'ASC' });
  });

  it('GET /v1/certificates refuses bad query values with the query names', async () => {
    const { upstream, handler } = setup();
    const cases: [string, string, string][] = [
      ['limit=5000', 'limit', 'maximum'],
      ['limit=ten', 'limit', 'type'],
      ['status=1,99', 'status[1]', 'enum'],
      ['expirationSort=up', 'expirationSort', 'enum'],
      ['nope=1', 'nope', 'unknown'],
      ['offset=-1', 'offset', 'minimum'],
    ];
    for (const [q, path, reason] of cases) {
      const res = await handler(request('GET', `/v1/certificates?${q}`));
      expect(res.status, q).toBe(400);
      expect(parse(res).error.details.fields[0], q).toMatchObject({ path, reason });
    }
    expect(upstream.calls).toEqual([]);
  });

  it('GET /v1/certificates/{id} answers the detail, 404 when the answer has no certificate', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificateDetail', { CertificateId: 'abc', Domain: 'a.test' }, { CertificateId: null });
    expect(parse(await handler(request('GET', '/v1/certificates/abc')))).toMatchObject({ CertificateId: 'abc', RequestId: 'up-DescribeCertificateDetail-0' });
    const missing = await handler(request('GET', '/v1/certificates/abc'));
    expect(missing.status).toBe(404);
    expect(upstream.calls[0].params).toEqual({ CertificateId: 'abc' });
  });

  it('POST /v1/certificates uploads: 201 + Location; 200 + Location of the existing one for a repeat', async () => {
    const { upstream, handler } = setup();
    upstream.on('UploadCertificate', { CertificateId: 'new1', RepeatCertId: '' }, { CertificateId: 'old1', RepeatCertId: 'old1' });
    const created = await handler(request('POST', '/v1/certificates', { body: { CertificatePublicKey: 'pem' } }));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/v1/certificates/new1');
    const repeat = await handler(request('POST', '/v1/certificates', { body: { CertificatePublicKey: 'pem', Repeatable: false } }));
    expect(repeat.status).toBe(200);
    expect(repeat.headers.location).toBe('/v1/certificates/old1');
  });

  it('POST /v1/certificates requires the documented body', async () => {
    const { handler } = setup();
    const res = await handler(request('POST', '/v1/certificates'));
    expect(res.status).toBe(400);
    expect(parse(res).error.details.fields).toEqual([expect.objectContaining({ path: 'CertificatePublicKey', reason: 'required' })]);
  });

  it('DELETE /v1/certificates/{id} deletes at once, or starts a delete task with checkResources=true', async () => {
    const { upstream, handler } = setup();
    upstream.on('DeleteCertificate', { DeleteResult: true, TaskId: null }, { DeleteResult: true, TaskId: 'dt-1' });
    const now = await handler(request('DELETE', '/v1/certificates/abc'));
    expect(now.status).toBe(200);
    expect(parse(now).DeleteResult).toBe(true);
    const task = await handler(request('DELETE', '/v1/certificates/abc?checkResources=true'));
    expect(task.status).toBe(202);
    expect(task.headers.location).toBe('/v1/delete-tasks/dt-1');
    expect(task.headers['retry-after']).toBe('1');
    expect(upstream.calls.map((c) => c.params)).toEqual([{ CertificateId: 'abc' }, { CertificateId: 'abc', IsCheckResource: true }]);
    const bad = await handler(request('DELETE', '/v1/certificates/abc?checkResources=maybe'));
    expect(bad.status).toBe(400);
    const unknown = await handler(request('DELETE', '/v1/certificates/abc?force=true'));
    expect(unknown.status).toBe(400);
  });

  it('GET /v1/certificates/{id}/download-url passes serviceType', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeDownloadCertificateUrl', { DownloadCertificateUrl: 'https://x', DownloadFilename: 'a.zip' });
    expect((await handler(request('GET', '/v1/certificates/abc/download-url?serviceType=nginx'))).status).toBe(200);
    expect(upstream.calls[0].params).toEqual({ CertificateId: 'abc', ServiceType: 'nginx' });
  });

  it('POST /v1/certificates:batch-delete: 200 without IsSync, 202 + Location with delete tasks', async () => {
    const { upstream, handler } = setup();
    upstream.on(
      'DeleteCertificates',
      { Success: ['a'], Fail: [], CertTaskIds: [] },
      { Success: [], Fail: [], CertTaskIds: [{ CertId: 'a', TaskId: 't1' }] },
      { Success: [], Fail: [], CertTaskIds: [{ CertId: 'a', TaskId: 't1' }, { CertId: 'b', TaskId: 't2' }] },
    );
    expect((await handler(request('POST', '/v1/certificates:batch-delete', { body: { CertificateIds: ['a'] } }))).status).toBe(200);
    const one = await handler(request('POST', '/v1/certificates:batch-delete', { body: { CertificateIds: ['a'], IsSync: true } }));
    expect(one.status).toBe(202);
    expect(one.headers.location).toBe('/v1/delete-tasks/t1');
    const two = await handler(request('POST', '/v1/certificates:batch-delete', { body: { CertificateIds: ['a', 'b'], IsSync: true } }));
    expect(two.headers.location).toBe('/v1/delete-tasks?ids=t1,t2');
    expect(parse(two).CertTaskIds.map((t: { Location: string }) => t.Location)).toEqual(['/v1/delete-tasks/t1', '/v1/delete-tasks/t2']);
    const tooMany = await handler(request('POST', '/v1/certificates:batch-delete', { body: { CertificateIds: Array.from({ length: 101 }, (_, i) => `c${i}`) } }));
    expect(tooMany.status).toBe(400);
    expect(parse(tooMany).error.details.fields[0]).toMatchObject({ path: 'CertificateIds', reason: 'maxItems', max: 100 });
  });
});

describe('task routes', () => {
  it('POST /v1/certificates/{id}/bind-resource-tasks: 202 + Location + Retry-After, IsCache defaulting to 1', async () => {
    const { upstream, handler } = setup();
    upstream.on('CreateCertificateBindResourceSyncTask', { CertTaskIds: [{ CertId: 'abc', TaskId: '77' }] });
    const res = await handler(request('POST', '/v1/certificates/abc/bind-resource-tasks'));
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/bind-resource-tasks/77');
    expect(res.headers['retry-after']).toBe('1');
    expect(parse(res)).toMatchObject({ TaskId: '77', CertificateId: 'abc', Location: '/v1/bind-resource-tasks/77' });
    expect(upstream.calls[0].params).toEqual({ CertificateIds: ['abc'], IsCache: 1 });
    await handler(request('POST', '/v1/certificates/abc/bind-resource-tasks', { body: { IsCache: 0 } }));
    expect(upstream.calls[1].params).toEqual({ CertificateIds: ['abc'], IsCache: 0 });
  });

  it('refuses CertificateIds in the body of a bind-resource task (it comes from the path)', async () => {
    const { handler } = setup();
    const res = await handler(request('POST', '/v1/certificates/abc/bind-resource-tasks', { body: { CertificateIds: ['x'] } }));
    expect(res.status).toBe(400);
    expect(parse(res).error.details.fields[0]).toMatchObject({ path: 'CertificateIds', reason: 'unknown' });
  });

  it('GET /v1/bind-resource-tasks/{id}: 202 + Retry-After while running, 200 when done', async () => {
    const { upstream, handler } = setup();
    upstream.on(
      'DescribeCertificateBindResourceTaskResult',
      { SyncTaskBindResourceResult: [{ TaskId: '77', Status: 0, BindResourceResult: [], Error: null, CacheTime: 't' }] },
      { SyncTaskBindResourceResult: [{ TaskId: '77', Status: 1, BindResourceResult: [{ ResourceType: 'clb' }], Error: null, CacheTime: 't' }] },
    );
    const running = await handler(request('GET', '/v1/bind-resource-tasks/77'));
    expect(running.status).toBe(202);
    expect(running.headers['retry-after']).toBe('1');
    expect(parse(running)).toMatchObject({ TaskId: '77', State: 'RUNNING', Done: false });
    const done = await handler(request('GET', '/v1/bind-resource-tasks/77'));
    expect(done.status).toBe(200);
    expect(done.headers['retry-after']).toBeUndefined();
    expect(parse(done)).toMatchObject({ State: 'SUCCEEDED', Done: true, BindResourceResult: [{ ResourceType: 'clb' }], RequestId: 'up-DescribeCertificateBindResourceTaskResult-1' });
  });

  it('GET /v1/bind-resource-tasks/{id}: a failed task is final (200, State FAILED)', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificateBindResourceTaskResult', { SyncTaskBindResourceResult: [{ TaskId: '77', Status: 2, Error: { Code: 'X', Message: 'y' } }] });
    const res = await handler(request('GET', '/v1/bind-resource-tasks/77'));
    expect(res.status).toBe(200);
    expect(parse(res)).toMatchObject({ State: 'FAILED', Done: true, Error: { Code: 'X' } });
  });

  it('GET /v1/bind-resource-tasks/{id}: 404 for an unknown task (missing, or refused as invalid id)', async () => {
    const { upstream, handler } = setup();
    upstream.on(
      'DescribeCertificateBindResourceTaskResult',
      { SyncTaskBindResourceResult: [] },
      upstreamError('DescribeCertificateBindResourceTaskResult', 'FailedOperation.CertificateSyncTaskIdInvalid'),
    );
    expect((await handler(request('GET', '/v1/bind-resource-tasks/1'))).status).toBe(404);
    const refused = await handler(request('GET', '/v1/bind-resource-tasks/1'));
    expect(refused.status).toBe(404);
    expect(parse(refused).error.details).toMatchObject({ upstreamCode: 'FailedOperation.CertificateSyncTaskIdInvalid' });
  });

  it('GET /v1/bind-resource-tasks/{id}/detail converts limit/offset to the documented String type', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeCertificateBindResourceTaskDetail', { Status: 1, CLB: [] });
    expect((await handler(request('GET', '/v1/bind-resource-tasks/77/detail?limit=50&offset=0&resourceTypes=clb,cdn'))).status).toBe(200);
    expect(upstream.calls[0].params).toEqual({ TaskId: '77', Limit: '50', Offset: '0', ResourceTypes: ['clb', 'cdn'] });
    const over = await handler(request('GET', '/v1/bind-resource-tasks/77/detail?limit=101'));
    expect(over.status).toBe(400);
    expect(parse(over).error.details.fields[0]).toMatchObject({ path: 'limit', reason: 'maximum' });
  });

  it('GET /v1/delete-tasks/{id}: 202 while running, 200 when final; failure codes 2-5 are FAILED', async () => {
    const { upstream, handler } = setup();
    upstream.on(
      'DescribeDeleteCertificatesTaskResult',
      { DeleteTaskResult: [{ TaskId: 'd1', CertId: 'a', Status: 0 }] },
      { DeleteTaskResult: [{ TaskId: 'd1', CertId: 'a', Status: 4, Error: 'bound' }] },
      { DeleteTaskResult: [] },
    );
    expect((await handler(request('GET', '/v1/delete-tasks/d1'))).status).toBe(202);
    const failed = await handler(request('GET', '/v1/delete-tasks/d1'));
    expect(failed.status).toBe(200);
    expect(parse(failed)).toMatchObject({ State: 'FAILED', Done: true, Status: 4 });
    expect((await handler(request('GET', '/v1/delete-tasks/d1'))).status).toBe(404);
  });

  it('GET /v1/delete-tasks?ids= polls several tasks', async () => {
    const { upstream, handler } = setup();
    upstream.on('DescribeDeleteCertificatesTaskResult', { DeleteTaskResult: [{ TaskId: 'd1', Status: 1 }, { TaskId: 'd2', Status: 0 }] });
    const res = await handler(request('GET', '/v1/delete-tasks?ids=d1,d2,d3'));
    expect(res.status).toBe(202);
    expect(parse(res)).toMatchObject({ Done: false, NotFound: ['d3'], Tasks: [{ TaskId: 'd1', State: 'SUCCEEDED' }, { TaskId: 'd2', State: 'RUNNING' }] });
    expect((await handler(request('GET', '/v1/delete-tasks'))).status).toBe(400);
    expect((await handler(request('GET', '/v1/delete-tasks?ids=a,b%2Fc'))).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `t${i}`).join(',');
    const over = await handler(request('GET', `/v1/delete-tasks?ids=${many}`));
    expect(parse(over).error.details.fields[0]).toMatchObject({ path: 'ids', reason: 'maxItems' });
  });
});

describe('deployment routes', () => {
  it('POST /v1/certificates/{id}/deployments: 202 + Location of the record', async () => {
    const { upstream, handler } = setup();
    upstream.on('DeployCertificateInstance', { DeployRecordId: 12, DeployStatus: 1 });
    const res = await handler(request('POST', '/v1/certificates/abc/deployments', { body: { InstanceIdList: ['cdn.test|on'], ResourceType: 'cdn' } }));
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/deployments/deploy/12');
    expect(parse(res)).toMatchObject({ DeployRecordId: 12, Kind: 'deploy', Location: '/v1/deployments/deploy/12' });
    expect(upstream.calls[0].params).toEqual({ CertificateId: 'abc', InstanceIdList: ['cdn.test|on'], ResourceType: 'cdn' });
  });

  it('answers 409 with the running record’s Location when a deployment is already running', async () => {
    const { upstream, handler } = setup();
    upstream.on('DeployCertificateInstance', { DeployRecordId: 9, DeployStatus: 0 });
    const res = await handler(request('POST', '/v1/certificates/abc/deployments', { body: { InstanceIdList: ['x|on'], ResourceType: 'cdn' } }));
    expect(res.status).toBe(409);
    expect(res.headers.location).toBe('/v1/deployments/deploy/9');
    expect(parse(res).error).toMatchObject({ code: 'CONFLICT', details: { deployRecordId: 9, location: '/v1/deployments/deploy/9' } });
  });

  it('PUT /v1/certificates/{id}/replacement repeats the call while DeployRecordId is 0, with backoff', async () => {
    const { upstream, handler, slept } = setup();
    upstream.on('UpdateCertificateInstance', { DeployRecordId: 0, DeployStatus: 1 }, { DeployRecordId: 0, DeployStatus: 1 }, { DeployRecordId: 31, DeployStatus: 1 });
    const res = await handler(request('PUT', '/v1/certificates/old/replacement', { body: { CertificateId: 'new', ResourceTypes: ['clb'] } }));
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/deployments/update/31');
    expect(upstream.calls.map((c) => c.params)).toEqual(Array(3).fill({ OldCertificateId: 'old', CertificateId: 'new', ResourceTypes: ['clb'] }));
    expect(slept).toEqual([500, 1000]);
  });

  it('gives up after the wait budget with 409 CONFLICT (call again)', async () => {
    const { upstream, handler } = setup();
    upstream.on('UpdateCertificateInstance', { DeployRecordId: 0, DeployStatus: 1 });
    const res = await handler(request('PUT', '/v1/certificates/old/replacement', { body: { CertificateId: 'new', ResourceTypes: ['clb'] } }));
    expect(res.status).toBe(409);
    expect(res.headers['retry-after']).toBe('1');
    expect(parse(res).error.details).toMatchObject({ stillCreating: true });
    // 5 s budget: 500 + 1000 + 2000 + 1500 (capped by the deadline) → 5 calls.
    expect(upstream.calls.length).toBe(5);
  });

  it('PUT /v1/certificates/{id}/content starts an upload-update', async () => {
    const { upstream, handler } = setup();
    upstream.on('UploadUpdateCertificateInstance', { DeployRecordId: 5, DeployStatus: 1, UpdateSyncProgress: [] });
    const res = await handler(
      request('PUT', '/v1/certificates/old/content', { body: { ResourceTypes: ['clb'], CertificatePublicKey: 'pem', CertificatePrivateKey: 'key' } }),
    );
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/deployments/upload-update/5');
  });

  it('refuses a path member repeated in the body', async () => {
    const { handler } = setup();
    const res = await handler(request('PUT', '/v1/certificates/old/replacement', { body: { OldCertificateId: 'other', ResourceTypes: ['clb'] } }));
    expect(res.status).toBe(400);
    expect(parse(res).error.details.fields[0]).toMatchObject({ path: 'OldCertificateId', message: 'taken from the path; do not send it in the body' });
  });

  it.each([
    ['deploy', 'DescribeHostDeployRecordDetail', { DeployRecordId: '12', Limit: 10, Offset: 0 }],
    ['update', 'DescribeHostUpdateRecordDetail', { DeployRecordId: '12', Limit: '10', Offset: '0' }],
    ['upload-update', 'DescribeHostUploadUpdateRecordDetail', { DeployRecordId: 12, Limit: 10, Offset: 0 }],
  ])('GET /v1/deployments/%s/{id} calls %s with the documented member types', async (kind, action, params) => {
    const { upstream, handler } = setup();
    const running = kind === 'upload-update'
      ? { DeployRecordDetail: [{ TotalCount: 2, SuccessTotalCount: 1, FailedTotalCount: 0, RunningTotalCount: 1 }] }
      : { TotalCount: 2, SuccessTotalCount: 1, FailedTotalCount: 0, RunningTotalCount: 1 };
    const done = kind === 'upload-update'
      ? { DeployRecordDetail: [{ TotalCount: 2, SuccessTotalCount: 1, FailedTotalCount: 1, RunningTotalCount: 0 }] }
      : { TotalCount: 2, SuccessTotalCount: 1, FailedTotalCount: 1, RunningTotalCount: 0 };
    upstream.on(action, running, done);
    const first = await handler(request('GET', `/v1/deployments/${kind}/12`));
    expect(first.status).toBe(202);
    expect(first.headers['retry-after']).toBe('1');
    expect(parse(first)).toMatchObject({ DeployRecordId: 12, Kind: kind, State: 'RUNNING', Done: false, Progress: { Total: 2, Succeeded: 1, Running: 1 } });
    const second = await handler(request('GET', `/v1/deployments/${kind}/12`));
    expect(second.status).toBe(200);
    expect(parse(second)).toMatchObject({ State: 'PARTIALLY_FAILED', Done: true, RequestId: `up-${action}-1` });
    expect(upstream.calls[0]).toEqual({ action, params });
  });

  it('GET /v1/deployments/{kind}/{id} validates limit against the documented cap', async () => {
    const { upstream, handler } = setup();
    const res = await handler(request('GET', '/v1/deployments/deploy/12?limit=500'));
    expect(res.status).toBe(400);
    expect(parse(res).error.details.fields[0]).toMatchObject({ path: 'limit', reason: 'maximum', max: 200 });
    expect(upstream.calls).toEqual([]);
  });

  it('POST /v1/deployments/{kind}/{id}/retry and /rollback', async () => {
    const { upstream, handler } = setup();
    upstream.on('UpdateCertificateRecordRetry', {}).on('UpdateCertificateRecordRollback', { DeployRecordId: 44 }).on('UploadUpdateCertificateRecordRollback', {});
    const retry = await handler(request('POST', '/v1/deployments/update/12/retry', { body: { DeployRecordDetailId: 3 } }));
    expect(retry.status).toBe(202);
    expect(retry.headers.location).toBe('/v1/deployments/update/12');
    const rollback = await handler(request('POST', '/v1/deployments/update/12/rollback'));
    expect(rollback.status).toBe(202);
    expect(rollback.headers.location).toBe('/v1/deployments/update/44');
    expect(parse(rollback)).toMatchObject({ DeployRecordId: 44, RolledBackRecordId: 12 });
    const uploadRollback = await handler(request('POST', '/v1/deployments/upload-update/7/rollback'));
    expect(uploadRollback.headers.location).toBe('/v1/deployments/upload-update/7');
    expect(upstream.calls.map((c) => c.params)).toEqual([{ DeployRecordId: 12, DeployRecordDetailId: 3 }, { DeployRecordId: 12 }, { DeployRecordId: 7 }]);
  });
});
