/**
 * What the GraphQL function refuses before Apollo parses anything (src/app.ts, parseGraphQLBody and
 * gatewayRequestHandler): JSON bodies that are not valid UTF-8, documents nested deeply enough to
 * exhaust the parser's stack, repeated GET parameters. Every refusal is a GraphQL-shaped 400 and no
 * upstream call; what only looks deep (brackets in strings and comments, syntax errors) is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler, type LambdaHttpHandler } from '../../../handlers/lib/lambda';
import { MAX_SELECTION_NESTING, MAX_VALUE_NESTING } from '../../../src/graphql/nesting';
import { createDemoApiKey, formatApiKeys } from '../../../src/auth';
import { loadConfig } from '../../../src/config';
import type { Simulator } from '../../../src/simulator/index';
import { startGateway, type GatewayFixture } from '../../helpers/fixture';
import { httpEvent, lambdaContext, normalizeResult } from '../../helpers/lambda-events';

const CLIENT = createDemoApiKey({ id: 'graphql-input-test' });

let fx: GatewayFixture;
let sim: Simulator;
let graphql: LambdaHttpHandler;

beforeAll(async () => {
  fx = await startGateway({ sim: { demoData: true }, env: { GATEWAY_API_KEYS: formatApiKeys([CLIENT.entry]), LOG_LEVEL: 'silent' } });
  sim = fx.sim;
  graphql = createLambdaHandler('graphql', async () => fx.gateway);
});

afterAll(() => fx?.close());

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
  upstreamCalls: number;
}

async function post(body: string | Buffer): Promise<Answer> {
  const before = sim.calls.log().length;
  const res = normalizeResult(
    await graphql(httpEvent('apigw-v2', { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', 'x-api-key': CLIENT.key }, body, base64: true }), lambdaContext()),
  );
  return { status: res.status, body: JSON.parse(res.text), upstreamCalls: sim.calls.log().length - before };
}

async function get(search: string): Promise<Answer> {
  const before = sim.calls.log().length;
  const res = normalizeResult(
    await graphql(httpEvent('apigw-v2', { method: 'GET', path: `/graphql?${search}`, headers: { 'apollo-require-preflight': 'true', 'x-api-key': CLIENT.key } }), lambdaContext()),
  );
  return { status: res.status, body: JSON.parse(res.text), upstreamCalls: sim.calls.log().length - before };
}

const doc = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
const withBytes = (before: string, bytes: number[], after: string) => Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);

function expectRefused(a: Answer, code: string, message: RegExp): void {
  expect(a.status, JSON.stringify(a.body)).toBe(400);
  expect(a.body.data ?? null).toBeNull();
  expect(a.body.errors?.[0].extensions.code).toBe(code);
  expect(a.body.errors?.[0].message).toMatch(message);
  expect(a.upstreamCalls).toBe(0);
}

describe('invalid UTF-8 in a JSON body', () => {
  const SEARCH = 'query($s: String) { certificates(searchKey: $s) { totalCount } }';

  it.each([
    ['FF', [0xff]],
    ['overlong "/"', [0xc0, 0xaf]],
    ['encoded surrogate', [0xed, 0xa0, 0x80]],
    ['truncated sequence', [0xe2, 0x82]],
  ])('inside a variable value (%s): 400 BAD_REQUEST, nothing sent upstream', async (_, bytes) => {
    const a = await post(withBytes(`{"query":${JSON.stringify(SEARCH)},"variables":{"s":"a`, bytes, 'b"}}'));
    expectRefused(a, 'BAD_REQUEST', /^The request body is not valid UTF-8$/);
  });

  it('inside a member name or the operation name: 400 BAD_REQUEST', async () => {
    expectRefused(await post(withBytes(`{"query":${JSON.stringify(SEARCH)},"variables":{"s`, [0xff], '":"a"}}')), 'BAD_REQUEST', /not valid UTF-8/);
    expectRefused(await post(withBytes('{"query":"query A { __typename }","operationName":"A', [0xff], '"}')), 'BAD_REQUEST', /not valid UTF-8/);
  });

  it('only inside the query text: the document cannot be parsed (GRAPHQL_PARSE_FAILED)', async () => {
    expectRefused(await post(withBytes('{"query":"{ certificates(searchKey: \\"a', [0xff], 'b\\") { totalCount } }"}')), 'GRAPHQL_PARSE_FAILED', /query.*not valid UTF-8/);
  });

  it('in the query text and elsewhere, or with a genuine U+FFFD elsewhere: BAD_REQUEST', async () => {
    const both = withBytes('{"query":"{ __type', [0xff], 'name }","variables":{"s":"\uFFFD"}}');
    expectRefused(await post(both), 'BAD_REQUEST', /not valid UTF-8/);
  });

  it('outside strings: BAD_REQUEST', async () => {
    expectRefused(await post(withBytes('{"query":"{ __typename }"', [0xff], '}')), 'BAD_REQUEST', /not valid UTF-8/);
  });

  it('a genuine U+FFFD (EF BF BD) is valid UTF-8 and goes through', async () => {
    const a = await post(Buffer.from(doc(SEARCH, { s: 'a\uFFFDb' }), 'utf8'));
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.upstreamCalls).toBeGreaterThan(0);
  });
});

describe('nesting deep enough to exhaust the parser', () => {
  const selections = (n: number) => `{ ${'a { '.repeat(n)}b${' }'.repeat(n)} }`;
  const lists = (n: number) => `{ certificates(certificateStatus: ${'['.repeat(n)}${']'.repeat(n)}) { totalCount } }`;
  const objects = (n: number) => `{ certificates(tags: ${'{ a: '.repeat(n)}1${' }'.repeat(n)}) { totalCount } }`;
  const DEEP_SELECTIONS = new RegExp(`Selection sets are nested more than ${MAX_SELECTION_NESTING} levels deep`);
  const DEEP_VALUES = new RegExp(`Argument values are nested more than ${MAX_VALUE_NESTING} levels deep`);

  it.each([
    ['2450 nested selection sets', selections(2450), DEEP_SELECTIONS],
    ['20 000 nested selection sets', selections(20_000), DEEP_SELECTIONS],
    ['2400 nested list literals', lists(2400), DEEP_VALUES],
    ['1600 nested input objects', objects(1600), DEEP_VALUES],
    [`${MAX_VALUE_NESTING} nested list literals (plus the argument list)`, lists(MAX_VALUE_NESTING), DEEP_VALUES],
  ])('refuses %s with a clear 400 before parsing (POST)', async (_, query, message) => {
    expectRefused(await post(doc(query)), 'GRAPHQL_VALIDATION_FAILED', message);
  });

  it('refuses the same in the GET query parameter', async () => {
    expectRefused(await get(new URLSearchParams({ query: selections(3000) }).toString()), 'GRAPHQL_VALIDATION_FAILED', DEEP_SELECTIONS);
    expectRefused(await get(new URLSearchParams({ query: lists(3000) }).toString()), 'GRAPHQL_VALIDATION_FAILED', DEEP_VALUES);
  });

  it('lets nesting within the limits through to the schema and the depth rule', async () => {
    // Values: the argument list plus 127 lists is 128 levels, allowed here; the schema refuses it.
    const values = await post(doc(lists(MAX_VALUE_NESTING - 1)));
    expect(values.status).toBe(400);
    expect(values.body.errors?.[0].message).not.toMatch(DEEP_VALUES);
    // Selections: the depth rule answers with its own message.
    const deep = await post(doc(`{ certificate(id: "x") { ${'issuance { certificate { '.repeat(300)}certificateId${' } }'.repeat(300)} } }`));
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(deep.body.errors?.[0].message).toMatch(/nested \d+ fields deep; the maximum depth is \d+/);
  });

  it('does not count brackets inside strings, block strings and comments', async () => {
    const brackets = '[{('.repeat(3000);
    for (const query of [
      `{ certificates(searchKey: ${JSON.stringify(brackets)}) { totalCount } }`,
      `{ certificates(searchKey: """${brackets} \\""" ${brackets}""") { totalCount } }`,
      `# ${brackets}\n{ certificates(limit: 1) { totalCount } }`,
    ]) {
      const a = await post(doc(query));
      expect(a.status, `${query.slice(0, 60)}: ${JSON.stringify(a.body).slice(0, 300)}`).toBe(200);
    }
  });

  it('leaves brackets the parser refuses at once to the parser (a syntax error, not "too deep")', async () => {
    for (const p of ['(', '[', '{']) {
      const a = await post(doc(`{ __typename ${p.repeat(6000)} }`));
      expectRefused(a, 'GRAPHQL_PARSE_FAILED', /^Syntax Error/);
    }
  });

  it('handles JSON nested 100 000 levels deep without a 5xx (JSON.parse is iterative; nothing recurses on it)', async () => {
    const deepJson = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const [body, status] of [
      [`{"query":"query($s: String) { certificates(searchKey: $s) { totalCount } }","variables":{"s":${deepJson}}}`, 400],
      [deepJson, 400],
      // An extension nobody reads is ignored, however deep.
      [`{"query":"{ __typename }","extensions":{"x":${deepJson}}}`, 200],
    ] as const) {
      const a = await post(body);
      expect(a.status, JSON.stringify(a.body).slice(0, 300)).toBe(status);
      if (status === 400) expect(a.body.errors?.[0].extensions.code).toMatch(/^BAD_(REQUEST|USER_INPUT)$/);
      expect(a.upstreamCalls).toBe(0);
    }
  });
});

describe('GET parameters', () => {
  it('refuses a repeated parameter instead of picking one', async () => {
    const a = await get('query=%7B__typename%7D&query=%7Bcertificates(limit%3A1)%7BtotalCount%7D%7D');
    expectRefused(a, 'BAD_REQUEST', /Query parameter query is repeated/);
  });
});
