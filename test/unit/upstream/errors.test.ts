import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HTTP_STATUS,
  GatewayError,
  GatewayErrorCode,
  TransportCode,
  UPSTREAM_ERROR_TABLE,
  UpstreamError,
  classifyUpstreamError,
  isRetryable,
} from '../../../src/upstream/errors';

describe('GatewayErrorCode', () => {
  it('values equal keys and every code has a default HTTP status', () => {
    for (const [k, v] of Object.entries(GatewayErrorCode)) {
      expect(v).toBe(k);
      expect(DEFAULT_HTTP_STATUS[v]).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('classifyUpstreamError', () => {
  it.each([
    // exact codes beat prefixes
    ['FailedOperation.CertificateNotFound', 'NOT_FOUND', 404, 'never'],
    ['LimitExceeded.RateLimitExceeded', 'RATE_LIMITED', 429, 'always-safe'],
    ['AuthFailure.SignatureExpire', 'UPSTREAM_AUTH', 502, 'always-safe'],
    // prefixes, bare code included
    ['ResourceNotFound', 'NOT_FOUND', 404, 'never'],
    ['ResourceNotFound.Manager', 'NOT_FOUND', 404, 'never'],
    ['AuthFailure', 'UPSTREAM_AUTH', 502, 'never'],
    ['AuthFailure.SignatureFailure', 'UPSTREAM_AUTH', 502, 'never'],
    ['AuthFailure.SecretIdNotFound', 'UPSTREAM_AUTH', 502, 'never'],
    ['RequestLimitExceeded', 'RATE_LIMITED', 429, 'always-safe'],
    ['RequestLimitExceeded.UinLimitExceeded', 'RATE_LIMITED', 429, 'always-safe'],
    ['RequestLimitExceeded.GlobalRegionUinLimitExceeded', 'RATE_LIMITED', 429, 'always-safe'],
    ['InternalError', 'UPSTREAM_INTERNAL', 502, 'reads'],
    ['InternalError.BackendResponseEmpty', 'UPSTREAM_INTERNAL', 502, 'reads'],
    ['InvalidParameter', 'BAD_REQUEST', 400, 'never'],
    ['InvalidParameter.DomainInvalid', 'BAD_REQUEST', 400, 'never'],
    ['InvalidParameterValue', 'BAD_REQUEST', 400, 'never'],
    ['InvalidParameterValue.CertificateEmailParseInvalid', 'BAD_REQUEST', 400, 'never'],
    ['MissingParameter', 'BAD_REQUEST', 400, 'never'],
    ['UnknownParameter', 'BAD_REQUEST', 400, 'never'],
    ['InvalidAction', 'BAD_REQUEST', 400, 'never'],
    ['UnsupportedOperation', 'BAD_REQUEST', 400, 'never'],
    ['UnauthorizedOperation', 'FORBIDDEN', 403, 'never'],
    ['UnauthorizedOperation.NoPermission', 'FORBIDDEN', 403, 'never'],
    ['ResourceInUse', 'CONFLICT', 409, 'never'],
    ['FailedOperation', 'FAILED_PRECONDITION', 409, 'never'],
    ['FailedOperation.CertificateStatusNotAllowDownload', 'FAILED_PRECONDITION', 409, 'never'],
    ['FailedOperation.SomethingNew', 'FAILED_PRECONDITION', 409, 'never'],
    ['FailedOperation.CertificateExists', 'CONFLICT', 409, 'never'],
    ['FailedOperation.CertificateParseError', 'BAD_REQUEST', 400, 'never'],
    ['FailedOperation.NoProjectPermission', 'FORBIDDEN', 403, 'never'],
    ['FailedOperation.ExceedsFreeLimit', 'QUOTA_EXCEEDED', 403, 'never'],
    ['FailedOperation.NetworkError', 'UPSTREAM_UNAVAILABLE', 502, 'reads'],
    ['LimitExceeded', 'QUOTA_EXCEEDED', 403, 'never'],
    ['ServiceUnavailable', 'UPSTREAM_UNAVAILABLE', 502, 'reads'],
    // transport pseudo codes
    [TransportCode.Timeout, 'UPSTREAM_TIMEOUT', 504, 'reads'],
    [TransportCode.ConnectFailed, 'UPSTREAM_UNAVAILABLE', 502, 'always-safe'],
    [TransportCode.ConnectionLost, 'UPSTREAM_UNAVAILABLE', 502, 'reads'],
    [TransportCode.HttpServerError, 'UPSTREAM_UNAVAILABLE', 502, 'reads'],
    [TransportCode.MalformedResponse, 'UPSTREAM_UNAVAILABLE', 502, 'reads'],
    // unknown
    ['SomethingNobodyDocumented', 'UPSTREAM_INTERNAL', 502, 'never'],
  ])('%s -> %s %i (%s)', (code, gatewayCode, httpStatus, retry) => {
    expect(classifyUpstreamError(code)).toMatchObject({ gatewayCode, httpStatus, retry });
  });

  it('matches whole dot segments only (InvalidParameterValue is not under InvalidParameter.*)', () => {
    expect(classifyUpstreamError('InvalidParameterValue.X').matched).toBe('InvalidParameterValue.*');
    expect(classifyUpstreamError('InvalidParameter.X').matched).toBe('InvalidParameter.*');
    expect(classifyUpstreamError('AuthFailureX').matched).toBeUndefined();
  });

  it('prefers the longest prefix', () => {
    expect(classifyUpstreamError('FailedOperation.CertificateNotFound.Sub').matched).toBe('FailedOperation.*');
    expect(classifyUpstreamError('AuthFailure.SignatureExpire').matched).toBe('AuthFailure.SignatureExpire');
  });

  it('uses only known gateway codes and consistent statuses', () => {
    for (const row of Object.values(UPSTREAM_ERROR_TABLE)) {
      expect(Object.values(GatewayErrorCode)).toContain(row.gatewayCode);
      expect(row.httpStatus).toBeGreaterThanOrEqual(400);
    }
  });
});

describe('isRetryable', () => {
  it('reads retry on reads and always-safe, writes only on always-safe', () => {
    expect(isRetryable('reads', 'read')).toBe(true);
    expect(isRetryable('reads', 'write')).toBe(false);
    expect(isRetryable('always-safe', 'write')).toBe(true);
    expect(isRetryable('always-safe', 'read')).toBe(true);
    expect(isRetryable('never', 'read')).toBe(false);
  });
});

describe('GatewayError / UpstreamError', () => {
  it('GatewayError carries code, status, details and serializes without stack', () => {
    const e = new GatewayError(GatewayErrorCode.NOT_FOUND, 'no such certificate', { details: { certId: 'x' } });
    expect(e).toBeInstanceOf(Error);
    expect(e.httpStatus).toBe(404);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'NOT_FOUND', message: 'no such certificate', details: { certId: 'x' } });
  });

  it('UpstreamError classifies its upstream code and keeps RequestId', () => {
    const e = new UpstreamError({
      action: 'DescribeCertificateDetail',
      upstreamCode: 'FailedOperation.CertificateNotFound',
      message: '证书不存在。',
      requestId: 'req-1',
      upstreamHttpStatus: 200,
    });
    expect(e).toBeInstanceOf(GatewayError);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.httpStatus).toBe(404);
    expect(e.upstreamCode).toBe('FailedOperation.CertificateNotFound');
    expect(e.requestId).toBe('req-1');
    expect(e.retry).toBe('never');
    expect(e.outcomeUnknown).toBe(false);
    expect(e.attempts).toBe(1);
    expect(e.toJSON()).toEqual({
      code: 'NOT_FOUND',
      message: '证书不存在。',
      details: { action: 'DescribeCertificateDetail', upstreamCode: 'FailedOperation.CertificateNotFound', requestId: 'req-1' },
    });
  });

  it('scrubs the upstream message like a log line: private keys, credential values, tokens, key ids', () => {
    // A PEM-shaped text with a plainly fake body, built at run time (no key material in the repo).
    const marker = (edge: string) => `-----${edge} ${'PRIVATE'} KEY-----`;
    const pem = `${marker('BEGIN')}\nFAKEKEYBODYFORTESTSONLYFAKEKEYBODYFORTESTSONLYFAKEKEYBODY00\n${marker('END')}`;
    const secretId = ['AKID', 'FAKE', 'TEST', 'ONLY', '0000', '11'].join('');
    const e = new UpstreamError({
      action: 'UploadCertificate',
      upstreamCode: 'FailedOperation.CertificateParseError',
      message: `cannot parse ${pem}; KeyPassword=Zq7vR2mX9kLp4sT8 token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJlLXh5eg from ${secretId}`,
    });
    expect(e.message).toBe('cannot parse [REDACTED PRIVATE KEY]; KeyPassword=[REDACTED] token: [REDACTED JWT] from [REDACTED SECRET ID]');
    expect(JSON.stringify(e.toJSON())).not.toMatch(/FAKEKEYBODY|Zq7vR2|eyJ|AKIDFAKE/);
    // A key cut short by the client's length cap is masked to the end.
    const cut = new UpstreamError({ action: 'UploadCertificate', upstreamCode: 'InvalidParameter', message: `bad: ${pem.slice(0, 60)}` });
    expect(cut.message).toBe('bad: [REDACTED PRIVATE KEY]');
    // Plain prose stays as it was.
    expect(new UpstreamError({ action: 'A', upstreamCode: 'InvalidParameter', message: 'KeyPassword: expected String' }).message).toBe('KeyPassword: expected String');
  });

  it('marks outcome-unknown failures', () => {
    const e = new UpstreamError({ action: 'ApplyCertificate', upstreamCode: TransportCode.Timeout, message: 'timed out' });
    expect(e.outcomeUnknown).toBe(true);
    expect(e.details).toMatchObject({ outcomeUnknown: true });
    expect(e.httpStatus).toBe(504);
  });
});
