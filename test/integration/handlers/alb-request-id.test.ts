/**
 * Issue 8, item 10: behind an ALB the request id is not taken from a header the client can set.
 * ALB forwards a client's `X-Amzn-Trace-Id` Root unchanged, so a client could make two requests
 * share an id, or plant any text as "the" request id of its log lines and error bodies.
 */
import { describe, expect, it } from 'vitest';
import { toGatewayRequest } from '../../../handlers/lib/events';
import { httpEvent } from '../../helpers/lambda-events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('ALB request id', () => {
  it.each(['alb', 'alb-multi'] as const)('%s: a client-sent X-Amzn-Trace-Id is not the request id; each request gets its own', (kind) => {
    const forged = 'Root=1-00000000-000000000000000000000000;forged-by-client';
    const spec = { method: 'GET', path: '/v1/certificates', headers: { 'X-Amzn-Trace-Id': forged } };
    const a = toGatewayRequest(httpEvent(kind, spec) as never);
    const b = toGatewayRequest(httpEvent(kind, spec) as never);
    expect(a.headers['x-amzn-trace-id']).toBe(forged);
    expect(a.requestId).not.toBe(forged);
    expect(a.requestId).not.toContain('forged');
    expect(a.requestId).toMatch(UUID);
    expect(b.requestId).toMatch(UUID);
    expect(a.requestId).not.toBe(b.requestId);
  });
});
