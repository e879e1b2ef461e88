/**
 * Hostile inputs at the transport level, for both surfaces: bodies above the size limits, invalid
 * JSON, invalid UTF-8, wrong content types, prototype-pollution keys, header abuse, methods, and
 * raw bytes that only a TCP socket can send.
 */
import { doc, gqlPost } from './abuse-graphql';
import type { AbuseCase, AbuseContext, HttpRequestSpec, RawRequestSpec, Surface } from './abuse-http';
import { restPost } from './abuse-rest';

/** `MAX_BODY_BYTES` default (1 MiB) and the local server's Lambda payload limit (6 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;
const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MiB = 1024 * 1024;

const GQL = '/graphql';
const REST = '/v1/actions/DescribeCertificates';
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

// ---- bodies above the limits ----------------------------------------------------------------------------

/** A valid JSON object of exactly `bytes` bytes: `{"<member>":"xxxx…"}`. */
export function paddedJson(bytes: number, member = 'pad', head = ''): string {
  const prefix = `{${head}"${member}":"`;
  return `${prefix}${'x'.repeat(bytes - prefix.length - 2)}"}`;
}

const tooLarge = (name: string, shape: Surface, request: HttpRequestSpec | RawRequestSpec): AbuseCase => ({
  name,
  shape,
  status: 413,
  code: 'PAYLOAD_TOO_LARGE',
  request,
});

/** Declares a large body and sends only its first bytes: the size is judged by Content-Length. */
const declaredOnly = (path: string, declared: number) => (ctx: AbuseContext) =>
  `POST ${path} HTTP/1.1\r\nHost: gateway.test\r\nx-api-key: ${ctx.keys.all}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n{"query":`;

export const hugeBodies: AbuseCase[] = [
  tooLarge('GraphQL: 1 MiB + 1 byte of valid JSON', 'graphql', gqlPost(() => paddedJson(MAX_BODY_BYTES + 1, 'pad', '"query":"{ __typename }",'))),
  tooLarge('GraphQL: 1.1 MiB query of whitespace', 'graphql', gqlPost(() => doc(`{${' '.repeat(1.1 * MiB)}__typename }`))),
  tooLarge('GraphQL: 1.1 MiB comment in the query', 'graphql', gqlPost(() => doc(`#${'c'.repeat(1.1 * MiB)}\n{ __typename }`))),
  tooLarge('GraphQL: 2 MiB variable value', 'graphql', gqlPost(() => doc('query($s: String) { certificates(searchKey: $s) { totalCount } }', { s: 'x'.repeat(2 * MiB) }))),
  tooLarge('GraphQL: 2 MiB of extensions', 'graphql', gqlPost(() => JSON.stringify({ query: '{ __typename }', extensions: { junk: 'x'.repeat(2 * MiB) } }))),
  tooLarge('GraphQL: 2 MiB batched array', 'graphql', gqlPost(() => JSON.stringify(range(60_000).map(() => ({ query: '{ __typename }' }))))),
  tooLarge('GraphQL: 5 MiB of spaces', 'graphql', gqlPost(() => Buffer.alloc(5 * MiB, 0x20))),
  tooLarge('GraphQL: 1 MiB + 1 sent as text/plain', 'graphql', gqlPost(() => Buffer.alloc(MAX_BODY_BYTES + 1, 0x20), { 'content-type': 'text/plain' })),
  tooLarge('GraphQL: 1 MiB + 1 without credentials', 'graphql', { ...gqlPost(() => Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)), key: null }),
  tooLarge('GraphQL: 1 MiB + 1 of invalid UTF-8', 'graphql', gqlPost(() => Buffer.alloc(MAX_BODY_BYTES + 1, 0xff))),
  tooLarge('GraphQL: 2 MiB sent chunked', 'graphql', { ...gqlPost(() => Buffer.alloc(2 * MiB, 0x20)), chunked: 64 * 1024 }),
  tooLarge('GraphQL: above the 6 MiB payload limit', 'graphql', gqlPost(() => Buffer.alloc(LAMBDA_PAYLOAD_BYTES + 1, 0x20))),
  tooLarge('GraphQL: 7 MiB sent chunked (no Content-Length)', 'graphql', { ...gqlPost(() => Buffer.alloc(7 * MiB, 0x20)), chunked: 256 * 1024 }),
  tooLarge('GraphQL: Content-Length of 7 MiB declared', 'graphql', { kind: 'raw', bytes: declaredOnly(GQL, 7 * MiB) }),
  tooLarge('REST: 1 MiB + 1 byte of valid JSON', 'rest', restPost(REST, () => paddedJson(MAX_BODY_BYTES + 1, 'SearchKey'))),
  tooLarge('REST: 3 MiB certificate upload', 'rest', restPost('/v1/certificates', () => paddedJson(3 * MiB, 'CertificatePublicKey'))),
  tooLarge('REST: 2 MiB batch delete', 'rest', restPost('/v1/certificates:batch-delete', () => JSON.stringify({ CertificateIds: range(200_000).map((i) => `c${i}`) }))),
  tooLarge('REST: 5 MiB of spaces', 'rest', restPost(REST, () => Buffer.alloc(5 * MiB, 0x20))),
  tooLarge('REST: 2 MiB body on a GET route', 'rest', restPost('/v1/certificates', () => Buffer.alloc(2 * MiB, 0x20), {}, 'GET')),
  tooLarge('REST: 2 MiB sent chunked', 'rest', { ...restPost(REST, () => Buffer.alloc(2 * MiB, 0x20)), chunked: 64 * 1024 }),
  tooLarge('REST: above the 6 MiB payload limit', 'rest', restPost(REST, () => Buffer.alloc(LAMBDA_PAYLOAD_BYTES + 1, 0x20))),
  tooLarge('REST: 7 MiB sent chunked (no Content-Length)', 'rest', { ...restPost(REST, () => Buffer.alloc(7 * MiB, 0x20)), chunked: 256 * 1024 }),
  tooLarge('REST: Content-Length of 7 MiB declared', 'rest', { kind: 'raw', bytes: declaredOnly(REST, 7 * MiB) }),
];

// ---- invalid JSON --------------------------------------------------------------------------------------

const MALFORMED_JSON: [string, string][] = [
  ['truncated object', '{"query":'],
  ['only an opening brace', '{'],
  ['unterminated string', '{"query":"{ __typename }'],
  ['trailing garbage', '{"query":"{ __typename }"} x'],
  ['two concatenated objects', '{"query":"{ __typename }"}{"query":"{ __typename }"}'],
  ['NaN', '{"query":"{ __typename }","variables":NaN}'],
  ['Infinity', '{"Limit":Infinity}'],
  ['-Infinity', '{"Limit":-Infinity}'],
  ['undefined', '{"query":undefined}'],
  ['single quotes', "{'query':'{ __typename }'}"],
  ['unquoted keys', '{query:"{ __typename }"}'],
  ['trailing comma', '{"query":"{ __typename }",}'],
  ['line comment', '{"query":"{ __typename }" // c\n}'],
  ['block comment', '{/* c */"query":"{ __typename }"}'],
  ['raw control character in a string', '{"query":"{ __typename \u0001}"}'],
  ['invalid escape', '{"query":"\\x41"}'],
  ['short unicode escape', '{"query":"\\u12"}'],
  ['hexadecimal number', '{"Limit":0x10}'],
  ['leading zero', '{"Limit":01}'],
  ['explicit plus sign', '{"Limit":+1}'],
  ['bare decimal point', '{"Limit":.5}'],
  ['BOM followed by garbage', '\ufeff{x'],
  ['two BOMs', '\ufeff\ufeff{}'],
  ['a JavaScript expression', '({"query":"{ __typename }"})'],
  ['a lone quote', '"'],
  ['100 000 unclosed brackets', '['.repeat(100_000)],
];

export const invalidJson: AbuseCase[] = MALFORMED_JSON.flatMap(([name, text]): AbuseCase[] => [
  { name: `GraphQL: ${name}`, shape: 'graphql', status: 400, code: 'BAD_REQUEST', message: /not valid JSON/, request: gqlPost(text) },
  { name: `REST: ${name}`, shape: 'rest', status: 400, code: 'BAD_REQUEST', message: /not valid JSON/, request: restPost(REST, text) },
]);

// ---- invalid UTF-8 -------------------------------------------------------------------------------------

const BAD_UTF8: [string, number[]][] = [
  ['byte FF', [0xff]],
  ['bytes FE FF', [0xfe, 0xff]],
  ['lone continuation byte', [0x80]],
  ['overlong "/" (C0 AF)', [0xc0, 0xaf]],
  ['overlong 3-byte (E0 80 AF)', [0xe0, 0x80, 0xaf]],
  ['encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
  ['above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
  ['truncated sequence (E2 82)', [0xe2, 0x82]],
  ['Latin-1 é (E9)', [0xe9]],
];

const withBytes = (before: string, bytes: number[], after: string) => () => Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
const NOT_UTF8 = /UTF-8|not valid JSON|encoding/i;

export const invalidUtf8: AbuseCase[] = [
  // Inside JSON strings: a lenient decoder turns them into U+FFFD and sends that upstream.
  ...BAD_UTF8.map(([name, bytes]): AbuseCase => ({
    name: `REST: ${name} inside a string value`,
    shape: 'rest',
    status: 400,
    code: 'BAD_REQUEST',
    message: NOT_UTF8,
    request: restPost(REST, withBytes('{"SearchKey":"a', bytes, 'b"}')),
  })),
  ...BAD_UTF8.slice(0, 5).map(([name, bytes]): AbuseCase => ({
    name: `GraphQL: ${name} inside a variable value`,
    shape: 'graphql',
    status: 400,
    code: ['BAD_REQUEST', 'BAD_USER_INPUT'],
    message: NOT_UTF8,
    request: gqlPost(withBytes('{"query":"query($s: String) { certificates(searchKey: $s) { totalCount } }","variables":{"s":"a', bytes, 'b"}}')),
  })),
  {
    name: 'REST: FF FE inside a write (ModifyCertificateAlias)',
    shape: 'rest',
    status: 400,
    code: 'BAD_REQUEST',
    message: NOT_UTF8,
    request: restPost('/v1/actions/ModifyCertificateAlias', (ctx) => withBytes(`{"CertificateId":"${ctx.certId}","Alias":"`, [0xff, 0xfe], '"}')()),
  },
  { name: 'REST: FF inside a member name', shape: 'rest', status: 400, code: 'BAD_REQUEST', request: restPost(REST, withBytes('{"Search', [0xff], 'Key":"a"}')) },
  { name: 'REST: FF outside any string', shape: 'rest', status: 400, code: 'BAD_REQUEST', request: restPost(REST, withBytes('{"Limit":1', [0xff], '}')) },
  { name: 'REST: UTF-16LE body with BOM', shape: 'rest', status: 400, code: 'BAD_REQUEST', request: restPost(REST, () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"Limit":1}', 'utf16le')])) },
  { name: 'GraphQL: FF inside the query text', shape: 'graphql', status: 400, code: 'GRAPHQL_PARSE_FAILED', request: gqlPost(withBytes('{"query":"{ __type', [0xff], 'name }"}')) },
  { name: 'GraphQL: overlong NUL in the query text', shape: 'graphql', status: 400, code: 'GRAPHQL_PARSE_FAILED', request: gqlPost(withBytes('{"query":"{ __typename ', [0xc0, 0x80], '}"}')) },
  { name: 'GraphQL: UTF-16LE body', shape: 'graphql', status: 400, code: 'BAD_REQUEST', request: gqlPost(() => Buffer.from('{"query":"{ __typename }"}', 'utf16le')) },
  { name: 'REST: %FF in a path id', shape: 'rest', status: 400, code: 'BAD_REQUEST', field: 'id', request: { method: 'GET', path: '/v1/certificates/%FF' } },
];

// ---- content types --------------------------------------------------------------------------------------

const QUERY_BODY = '{"query":"{ __typename }"}';
const CSRF = /Cross-Site Request Forgery/;
const BAD_CT = /invalid Content-Type|POST body missing/;

const gqlCt = (name: string, contentType: string | undefined, message: RegExp, extra: Record<string, string> = {}, body = QUERY_BODY): AbuseCase => ({
  name: `GraphQL: ${name}`,
  shape: 'graphql',
  status: 400,
  code: 'BAD_REQUEST',
  message,
  request: { method: 'POST', path: GQL, headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...extra }, body },
});

const restCt = (name: string, contentType: string | undefined): AbuseCase => ({
  name: `REST: ${name}`,
  shape: 'rest',
  status: 415,
  code: 'UNSUPPORTED_MEDIA_TYPE',
  message: /application\/json/,
  request: { method: 'POST', path: REST, headers: contentType === undefined ? {} : { 'content-type': contentType }, body: '{"Limit":1}' },
});

const PREFLIGHT = { 'apollo-require-preflight': 'true' };

export const contentTypes: AbuseCase[] = [
  gqlCt('text/plain (CSRF attempt)', 'text/plain', CSRF),
  gqlCt('text/plain with charset (CSRF attempt)', 'text/plain; charset=utf-8', CSRF),
  gqlCt('form-encoded (CSRF attempt)', 'application/x-www-form-urlencoded', CSRF, {}, 'query=%7B__typename%7D'),
  gqlCt('multipart (CSRF attempt)', 'multipart/form-data; boundary=x', CSRF, {}, '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ __typename }"}\r\n--x--\r\n'),
  gqlCt('no content type', undefined, CSRF),
  gqlCt('text/plain with a preflight header', 'text/plain', BAD_CT, PREFLIGHT),
  gqlCt('form-encoded with a preflight header', 'application/x-www-form-urlencoded', BAD_CT, PREFLIGHT, 'query=%7B__typename%7D'),
  gqlCt('multipart with a preflight header', 'multipart/form-data; boundary=x', BAD_CT, PREFLIGHT, '--x--\r\n'),
  gqlCt('application/xml', 'application/xml', BAD_CT, {}, '<query>{ __typename }</query>'),
  gqlCt('application/graphql', 'application/graphql', BAD_CT, {}, '{ __typename }'),
  gqlCt('text/html', 'text/html', BAD_CT),
  gqlCt('application/octet-stream', 'application/octet-stream', BAD_CT),
  restCt('text/plain', 'text/plain'),
  restCt('form-encoded', 'application/x-www-form-urlencoded'),
  restCt('multipart', 'multipart/form-data; boundary=x'),
  restCt('no content type', undefined),
  restCt('application/xml', 'application/xml'),
  restCt('text/json', 'text/json'),
  restCt('application/jsonx', 'application/jsonx'),
  restCt('JSON with charset latin1', 'application/json; charset=latin1'),
  restCt('JSON with charset utf-16', 'application/json; charset=utf-16'),
  restCt('a media range', '*/*'),
  restCt('a list of types', 'application/json, text/plain'),
  restCt('application/x-ndjson', 'application/x-ndjson'),
];

// ---- prototype pollution -----------------------------------------------------------------------------

const restProto = (name: string, path: string, text: string, field?: string, headers: Record<string, string> = {}): AbuseCase => ({
  name: `REST: ${name}`,
  shape: 'rest',
  status: 400,
  code: 'BAD_REQUEST',
  field,
  request: restPost(path, text, headers),
});

const gqlProto = (name: string, text: string, code: string, message?: RegExp): AbuseCase => ({
  name: `GraphQL: ${name}`,
  shape: 'graphql',
  status: 400,
  code,
  message,
  request: gqlPost(text),
});

const POLLUTE = '{"polluted":"yes"}';

export const prototypePollution: AbuseCase[] = [
  restProto('__proto__ member', REST, `{"__proto__":${POLLUTE}}`, '__proto__'),
  restProto('__proto__ carrying a Limit', REST, '{"__proto__":{"Limit":5000}}', '__proto__'),
  restProto('constructor.prototype member', REST, `{"constructor":{"prototype":${POLLUTE}}}`, 'constructor'),
  restProto('prototype member', REST, `{"prototype":${POLLUTE}}`, 'prototype'),
  restProto('__proto__ inside a structure', REST, `{"Tags":[{"__proto__":${POLLUTE}}]}`, 'Tags[0].__proto__'),
  restProto('constructor inside a structure', REST, `{"Tags":[{"constructor":{"prototype":${POLLUTE}}}]}`, 'Tags[0].constructor'),
  restProto('__proto__ in an upload', '/v1/certificates', `{"__proto__":${POLLUTE},"CertificatePublicKey":"x"}`, '__proto__'),
  restProto('__proto__ carrying IsSync in a batch delete', '/v1/certificates:batch-delete', '{"CertificateIds":["a"],"__proto__":{"IsSync":true}}', '__proto__'),
  restProto('__proto__ with an Idempotency-Key', '/v1/actions/ModifyCertificateAlias', `{"CertificateId":"a","__proto__":${POLLUTE}}`, '__proto__', { 'idempotency-key': 'abuse-proto-1' }),
  { name: 'REST: query __proto__[polluted]=yes', shape: 'rest', status: 400, code: 'BAD_REQUEST', field: '__proto__[polluted]', request: { method: 'GET', path: '/v1/certificates?__proto__[polluted]=yes' } },
  { name: 'REST: query constructor[prototype][polluted]=yes', shape: 'rest', status: 400, code: 'BAD_REQUEST', field: 'constructor[prototype][polluted]', request: { method: 'GET', path: '/v1/certificates?constructor[prototype][polluted]=yes' } },
  // Names that exist on Object.prototype must be reported as unknown like any other name.
  { name: 'REST: query __proto__=yes', shape: 'rest', status: 400, code: 'BAD_REQUEST', field: '__proto__', request: { method: 'GET', path: '/v1/certificates?__proto__=yes' } },
  { name: 'REST: query constructor=yes', shape: 'rest', status: 400, code: 'BAD_REQUEST', field: 'constructor', request: { method: 'GET', path: '/v1/certificates?constructor=yes' } },
  { name: 'REST: query toString=yes', shape: 'rest', status: 400, code: 'BAD_REQUEST', field: 'toString', request: { method: 'GET', path: '/v1/certificates?toString=yes' } },
  gqlProto('request body whose only member is __proto__', '{"__proto__":{"query":"{ __typename }"}}', 'BAD_REQUEST', /non-empty `query`/),
  gqlProto('variables through __proto__', '{"query":"query($l: Int!) { certificates(limit: $l) { totalCount } }","variables":{"__proto__":{"l":1}}}', 'BAD_USER_INPUT', /was not provided/),
  gqlProto('variables through constructor.prototype', '{"query":"query($l: Int!) { certificates(limit: $l) { totalCount } }","variables":{"constructor":{"prototype":{"l":1}}}}', 'BAD_USER_INPUT', /was not provided/),
  gqlProto('__proto__ in an input object variable', `{"query":"query($t: [TagsInput!]) { certificates(tags: $t) { totalCount } }","variables":{"t":[{"tagKey":"a","__proto__":${POLLUTE}}]}}`, 'BAD_USER_INPUT', /__proto__/),
  gqlProto('persisted query through extensions.__proto__', `{"extensions":{"__proto__":{"persistedQuery":{"version":1,"sha256Hash":"${'a'.repeat(64)}"}}}}`, 'BAD_REQUEST', /non-empty `query`/),
  gqlProto('__proto__ field in an input literal', JSON.stringify({ query: '{ certificates(tags: [{ __proto__: "x" }]) { totalCount } }' }), 'GRAPHQL_VALIDATION_FAILED'),
  gqlProto('argument named __proto__', JSON.stringify({ query: '{ certificateDetail(certificateId: "x", __proto__: 1) { certificateId } }' }), 'GRAPHQL_VALIDATION_FAILED'),
  gqlProto('batched __proto__ payload', `[{"__proto__":${POLLUTE},"query":"{ __typename }"}]`, 'BAD_REQUEST', /batching disabled/i),
];

// ---- headers (node:http can send these) ------------------------------------------------------------------

const auth = (name: string, shape: Surface, headers: (ctx: AbuseContext) => Record<string, string | string[]>, status = 401, code = 'UNAUTHENTICATED'): AbuseCase => ({
  name,
  shape,
  status,
  code,
  request:
    shape === 'graphql'
      ? { method: 'POST', path: GQL, key: null, headers: (ctx) => ({ 'content-type': 'application/json', ...headers(ctx) }), body: QUERY_BODY }
      : { method: 'GET', path: '/v1/certificates?limit=1', key: null, headers },
});

const TOO_LARGE_HEADERS = [400, 431];

export const headerAbuse: AbuseCase[] = [
  { name: 'REST: 20 kB header value', shape: 'rest', status: TOO_LARGE_HEADERS, request: { method: 'GET', path: '/v1/certificates?limit=1', headers: { 'x-pad': 'a'.repeat(20_000) } } },
  { name: 'REST: 20 kB x-api-key', shape: 'rest', status: TOO_LARGE_HEADERS, request: { method: 'GET', path: '/v1/certificates?limit=1', key: null, headers: { 'x-api-key': 'k'.repeat(20_000) } } },
  { name: 'REST: 400 headers of 100 bytes', shape: 'rest', status: TOO_LARGE_HEADERS, request: { method: 'GET', path: '/v1/certificates?limit=1', headers: Object.fromEntries(range(400).map((i) => [`x-h${i}`, 'v'.repeat(100)])) } },
  { name: 'GraphQL: 20 kB header value', shape: 'graphql', status: TOO_LARGE_HEADERS, request: { ...gqlPost(QUERY_BODY, { 'x-pad': 'a'.repeat(20_000) }) } },
  auth('REST: 8 kB x-api-key', 'rest', () => ({ 'x-api-key': 'k'.repeat(8_000) })),
  auth('REST: Authorization sent twice', 'rest', (c) => ({ authorization: [`Bearer ${c.keys.all}`, `Bearer ${c.keys.all}`] })),
  auth('REST: x-api-key sent twice', 'rest', (c) => ({ 'x-api-key': [c.keys.all, c.keys.all] })),
  auth('REST: x-api-key and Authorization together', 'rest', (c) => ({ 'x-api-key': c.keys.all, authorization: `Bearer ${c.keys.all}` })),
  auth('REST: Basic authorization', 'rest', (c) => ({ authorization: `Basic ${Buffer.from(`user:${c.keys.all}`).toString('base64')}` })),
  auth('REST: Bearer without a token', 'rest', () => ({ authorization: 'Bearer' })),
  auth('REST: Bearer with a JWT-looking token', 'rest', () => ({ authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' })),
  auth('REST: Bearer with trailing words', 'rest', (c) => ({ authorization: `Bearer ${c.keys.all} extra` })),
  auth('REST: unknown API key', 'rest', (c) => ({ 'x-api-key': c.keys.unknown })),
  auth('REST: x-api-key with tab and latin-1 text', 'rest', () => ({ 'x-api-key': 'ab\tcd\u00e9' })),
  auth('GraphQL: no credentials', 'graphql', () => ({})),
  auth('GraphQL: Authorization sent twice', 'graphql', (c) => ({ authorization: [`Bearer ${c.keys.all}`, `Bearer ${c.keys.read}`] })),
  auth('GraphQL: x-api-key sent twice', 'graphql', (c) => ({ 'x-api-key': [c.keys.read, c.keys.all] })),
  auth('GraphQL: unknown API key', 'graphql', (c) => ({ 'x-api-key': c.keys.unknown })),
  {
    name: 'REST: read-only key calling a write action',
    shape: 'rest',
    status: 403,
    code: 'FORBIDDEN',
    message: /scope write/,
    request: { ...restPost('/v1/actions/ModifyCertificateAlias', '{"CertificateId":"x","Alias":"y"}'), key: 'read' },
  },
  {
    name: 'GraphQL: read-only key running a mutation',
    shape: 'graphql',
    status: 403,
    code: 'FORBIDDEN',
    message: /scope write/,
    request: { ...gqlPost(doc('mutation { setCertificateAlias(certificateId: "x", alias: "y") { requestId } }')), key: 'read' },
  },
  {
    name: 'REST: CORS preflight from a foreign origin',
    shape: 'rest',
    status: 403,
    code: 'CORS_NOT_ALLOWED',
    request: { method: 'OPTIONS', path: '/v1/certificates', key: null, headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } },
  },
];

// ---- methods ----------------------------------------------------------------------------------------------

const REST_METHODS = ['TRACE', 'PROPFIND', 'PATCH', 'PUT', 'DELETE', 'MKCOL', 'LOCK', 'UNLOCK', 'COPY', 'MOVE', 'SEARCH', 'PURGE', 'REPORT', 'MERGE', 'LINK', 'UNLINK'];

const notAllowed = (name: string, shape: Surface, request: HttpRequestSpec, status: number | number[] = 405, code = shape === 'rest' ? 'METHOD_NOT_ALLOWED' : 'BAD_REQUEST'): AbuseCase => ({
  name,
  shape,
  status,
  code,
  request,
});

export const methods: AbuseCase[] = [
  ...REST_METHODS.map((m) => notAllowed(`${m} /v1/certificates`, 'rest', { method: m, path: '/v1/certificates' })),
  notAllowed('GET on an action', 'rest', { method: 'GET', path: '/v1/actions/DescribeCertificates' }),
  notAllowed('POST on the action list', 'rest', restPost('/v1/actions', '{}')),
  notAllowed('POST /healthz', 'rest', restPost('/healthz', '{}')),
  notAllowed('TRACE /healthz', 'rest', { method: 'TRACE', path: '/healthz' }),
  notAllowed('DELETE /healthz', 'rest', { method: 'DELETE', path: '/healthz' }),
  ...['TRACE', 'PUT', 'DELETE', 'PATCH', 'PROPFIND'].map((m) => notAllowed(`${m} /graphql with a preflight header`, 'graphql', { method: m, path: GQL, headers: PREFLIGHT })),
  notAllowed('TRACE /graphql without a preflight header (CSRF first)', 'graphql', { method: 'TRACE', path: GQL }, 400),
  notAllowed('PUT /graphql with a JSON query', 'graphql', { ...gqlPost(QUERY_BODY), method: 'PUT' }),
];

// ---- raw bytes the HTTP parser refuses ---------------------------------------------------------------------

const rawRequest = (name: string, bytes: (ctx: AbuseContext) => string | Buffer, status: number | number[] = 400): AbuseCase => ({
  name,
  shape: 'rest',
  status,
  request: { kind: 'raw', bytes },
});
const GET_LINE = 'GET /v1/certificates?limit=1 HTTP/1.1\r\nHost: gateway.test\r\nConnection: close\r\n';
const POST_HEAD = `POST ${REST} HTTP/1.1\r\nHost: gateway.test\r\nContent-Type: application/json\r\nConnection: close\r\n`;

export const rawProtocol: AbuseCase[] = [
  rawRequest('x-api-key with a control character (0x01)', (c) => `${GET_LINE}x-api-key: ${c.keys.all}\x01\r\n\r\n`),
  rawRequest('x-api-key with NUL', (c) => `${GET_LINE}x-api-key: ${c.keys.all}\x00x\r\n\r\n`),
  rawRequest('x-api-key with DEL', (c) => `${GET_LINE}x-api-key: ${c.keys.all}\x7f\r\n\r\n`),
  rawRequest('x-api-key with a bare CR', (c) => `${GET_LINE}x-api-key: ab\rcd${c.keys.all}\r\n\r\n`),
  rawRequest('header name containing spaces', (c) => `${GET_LINE}x api key: ${c.keys.all}\r\n\r\n`),
  rawRequest('obsolete line folding', (c) => `${GET_LINE}x-api-key: ${c.keys.all}\r\n folded\r\n\r\n`),
  rawRequest('Content-Length: abc', (c) => `${POST_HEAD}x-api-key: ${c.keys.all}\r\nContent-Length: abc\r\n\r\n{}`),
  rawRequest('Content-Length: -1', (c) => `${POST_HEAD}x-api-key: ${c.keys.all}\r\nContent-Length: -1\r\n\r\n{}`),
  rawRequest('two different Content-Length headers', (c) => `${POST_HEAD}x-api-key: ${c.keys.all}\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`),
  rawRequest('Content-Length with Transfer-Encoding (smuggling)', (c) => `${POST_HEAD}x-api-key: ${c.keys.all}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`),
  rawRequest('Content-Length of 20 digits', (c) => `${POST_HEAD}x-api-key: ${c.keys.all}\r\nContent-Length: 99999999999999999999\r\n\r\n{}`),
  rawRequest('missing Host header', (c) => `GET /v1/certificates?limit=1 HTTP/1.1\r\nx-api-key: ${c.keys.all}\r\nConnection: close\r\n\r\n`),
  rawRequest('request target of 20 kB', (c) => `GET /v1/certificates?searchKey=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: gateway.test\r\nx-api-key: ${c.keys.all}\r\nConnection: close\r\n\r\n`, [400, 414, 431]),
  rawRequest('unknown method FOO', (c) => `FOO /v1/certificates HTTP/1.1\r\nHost: gateway.test\r\nx-api-key: ${c.keys.all}\r\nConnection: close\r\n\r\n`, [400, 405, 501]),
  rawRequest('lower-case method', (c) => `get /v1/certificates HTTP/1.1\r\nHost: gateway.test\r\nx-api-key: ${c.keys.all}\r\nConnection: close\r\n\r\n`, [400, 405, 501]),
  rawRequest('CONNECT to a gateway path', (c) => `CONNECT /v1/certificates HTTP/1.1\r\nHost: gateway.test\r\nx-api-key: ${c.keys.all}\r\n\r\n`, [400, 405]),
  rawRequest('CONNECT tunnel to another host', (c) => `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\nx-api-key: ${c.keys.all}\r\n\r\n`, [400, 405]),
];
