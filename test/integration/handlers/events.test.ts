/**
 * Event ↔ GatewayRequest/GatewayResult conversion details that differ between the three shapes.
 */
import { describe, expect, it } from 'vitest';
import { detectEventShape, toGatewayRequest, toLambdaResult } from '../../../handlers/lib/events';
import { createAuthenticator, createDemoApiKey } from '../../../src/auth';
import { albEvent, apiGatewayV1Event, apiGatewayV2Event, EVENT_KINDS, httpEvent } from '../../helpers/lambda-events';

describe('event adapters', () => {
  it('detects each shape', () => {
    expect(EVENT_KINDS.map((k) => detectEventShape(httpEvent(k, { method: 'GET', path: '/' })))).toEqual(['apigw-v2', 'apigw-v1', 'alb', 'alb']);
    expect(() => detectEventShape({ Records: [] })).toThrow(/Unsupported event/);
  });

  it.each(EVENT_KINDS)('%s: query values arrive decoded exactly once (a literal %% and +, spaces)', (kind) => {
    const req = toGatewayRequest(httpEvent(kind, { method: 'GET', path: '/v1/certificates?searchKey=50%25+off&alias=a%2Bb' }) as never);
    expect({ ...req.query }).toEqual({ searchKey: '50% off', alias: 'a+b' });
    expect(req.queryRepeats).toBeUndefined();
  });

  it.each(EVENT_KINDS)('%s: a repeated query parameter stays visible (all values, comma-joined, named in queryRepeats)', (kind) => {
    const req = toGatewayRequest(httpEvent(kind, { method: 'GET', path: '/v1/certificates?x=1&limit=1&x=2' }) as never);
    if (kind === 'alb') {
      // ALB without multi-value headers forwards only the last value: the repeat cannot be seen.
      expect({ ...req.query }).toEqual({ x: '2', limit: '1' });
      expect(req.queryRepeats).toBeUndefined();
    } else {
      expect({ ...req.query }).toEqual({ x: '1,2', limit: '1' });
      expect(req.queryRepeats).toEqual(['x']);
    }
  });

  it.each(EVENT_KINDS)('%s: query names inherited from Object.prototype are ordinary names', (kind) => {
    // Query fields set by hand: the event helpers collect parameters in plain objects.
    const pairs = [['constructor', 'a'], ['toString', 'b'], ['hasOwnProperty', 'c'], ['__proto__', 'd']] as const;
    const event = httpEvent(kind, { method: 'GET', path: '/v1/certificates' }) as unknown as Record<string, unknown>;
    if (kind === 'apigw-v2') event.rawQueryString = pairs.map(([k, v]) => `${k}=${v}`).join('&');
    else if (kind === 'alb') event.queryStringParameters = Object.fromEntries(pairs);
    else {
      event.multiValueQueryStringParameters = Object.fromEntries(pairs.map(([k, v]) => [k, [v]]));
      if (kind === 'apigw-v1') event.queryStringParameters = Object.fromEntries(pairs);
    }
    const req = toGatewayRequest(event as never);
    expect(Object.entries(req.query).sort()).toEqual([
      ['__proto__', 'd'],
      ['constructor', 'a'],
      ['hasOwnProperty', 'c'],
      ['toString', 'b'],
    ]);
    expect(Object.getPrototypeOf(req.query)).toBeNull();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each(EVENT_KINDS)('%s: header names inherited from Object.prototype are ordinary names', (kind) => {
    const req = toGatewayRequest(httpEvent(kind, { method: 'GET', path: '/v1/certificates', headers: { constructor: 'a', toString: 'b' } }) as never);
    expect(req.headers.constructor).toBe('a');
    expect(req.headers.tostring).toBe('b');
  });

  it.each(EVENT_KINDS)('%s: base64 bodies become bytes; header names are lower-cased', (kind) => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const req = toGatewayRequest(httpEvent(kind, { method: 'POST', path: '/v1/x', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes, base64: true }) as never);
    expect(req.body?.equals(bytes)).toBe(true);
    expect(req.headers['content-type']).toBe('application/octet-stream');
    expect(req.requestId).toBeTruthy();
    expect(req.sourceIp).toBe('203.0.113.7');
  });

  it.each(EVENT_KINDS)('%s: client credentials reach the authenticator whatever the header case', async (kind) => {
    const client = createDemoApiKey({ id: 'events-test' });
    const auth = createAuthenticator({ apiKeys: [client.entry] });
    for (const headers of [{ 'X-Api-Key': client.key }, { Authorization: `Bearer ${client.key}` }] as Record<string, string>[]) {
      const req = toGatewayRequest(httpEvent(kind, { method: 'GET', path: '/v1/certificates', headers }) as never);
      const identity = await auth.requireIdentity(req.headers);
      expect(identity.id).toBe('key:events-test');
      expect([...identity.scopes].sort()).toEqual(['admin', 'keys', 'read', 'write']);
    }
    const none = toGatewayRequest(httpEvent(kind, { method: 'GET', path: '/v1/certificates' }) as never);
    await expect(auth.requireIdentity(none.headers)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', headers: { 'www-authenticate': 'Bearer realm="ssl-gateway"' } });
  });

  it('API Gateway v1 and ALB: a repeated x-api-key is folded and refused, never half-accepted', async () => {
    const client = createDemoApiKey();
    const auth = createAuthenticator({ apiKeys: [client.entry] });
    const v1 = apiGatewayV1Event({ method: 'GET', path: '/v1/certificates' });
    v1.multiValueHeaders['X-Api-Key'] = [client.key, 'sslgw_other'];
    const alb = albEvent({ method: 'GET', path: '/v1/certificates' }, true);
    alb.multiValueHeaders!['x-api-key'] = ['sslgw_other', client.key];
    for (const event of [v1, alb]) {
      const req = toGatewayRequest(event);
      expect(req.headers['x-api-key']).toContain(', ');
      await expect(auth.requireIdentity(req.headers)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('API Gateway v2: cookies go back into the cookie header', () => {
    const event = apiGatewayV2Event({ method: 'GET', path: '/graphql' });
    event.cookies = ['a=1', 'b=2'];
    expect(toGatewayRequest(event).headers.cookie).toBe('a=1; b=2');
  });

  it('API Gateway v1 and ALB: repeated headers are folded, multi-value fields first', () => {
    const v1 = apiGatewayV1Event({ method: 'GET', path: '/' });
    v1.multiValueHeaders['X-Forwarded-For'] = ['198.51.100.1', '203.0.113.7'];
    expect(toGatewayRequest(v1).headers['x-forwarded-for']).toBe('198.51.100.1, 203.0.113.7');
    const alb = albEvent({ method: 'GET', path: '/' }, true);
    alb.multiValueHeaders!['x-forwarded-for'] = ['198.51.100.1, 10.0.0.1'];
    expect(toGatewayRequest(alb).sourceIp).toBe('198.51.100.1');
  });

  it('results: base64 flag kept; ALB gets a status description; multi-value ALB only multiValueHeaders', () => {
    const res = { status: 404, headers: { 'content-type': 'text/plain' }, body: 'AAE=', isBase64Encoded: true };
    const alb = toLambdaResult(res, 'alb', albEvent({ method: 'GET', path: '/' }, true)) as Record<string, unknown>;
    expect(alb).toEqual({ statusCode: 404, statusDescription: '404 Not Found', multiValueHeaders: { 'content-type': ['text/plain'] }, body: 'AAE=', isBase64Encoded: true });
    const v2 = toLambdaResult(res, 'apigw-v2', apiGatewayV2Event({ method: 'GET', path: '/' })) as Record<string, unknown>;
    expect(v2).toEqual({ statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'AAE=', isBase64Encoded: true });
  });
});
