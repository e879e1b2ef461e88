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
    const req = toGatewayRequest(httpEvent(kind, { method: 'GET', path: '/v1/certificates?searchKey=50%25+off&alias=a%2Bb&x=1&x=2' }) as never);
    expect(req.query).toMatchObject({ searchKey: '50% off', alias: 'a+b' });
    expect(['1', '2']).toContain(req.query.x);
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
      expect(identity.id).toBe('events-test');
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
