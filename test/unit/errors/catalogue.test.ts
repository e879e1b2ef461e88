import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CATALOGUE,
  ERROR_HTTP_STATUS,
  ERROR_REASONS,
  ErrorCode,
  ErrorReason,
  RetryAdvice,
  isErrorCode,
  renderErrorTables,
} from '../../../src/errors';
import { LimitErrorCode } from '../../../src/graphql/limits/rules';
import { IdempotencyError, IdempotencyReason } from '../../../src/idempotency/errors';
import { HttpErrorCode } from '../../../src/rest/errors';
import { REST_ROUTES, buildOpenApiDocument } from '../../../src/rest';
import { DEFAULT_HTTP_STATUS, GatewayErrorCode, UNKNOWN_UPSTREAM_ERROR_RULE, UPSTREAM_ERROR_TABLE } from '../../../src/upstream/errors';

const ROOT = join(import.meta.dirname, '../../..');
const REST_CODES = ERROR_CATALOGUE.filter((e) => e.surfaces.includes('rest')).map((e) => e.code);
const REST_REASONS = ERROR_REASONS.filter((r) => r.field === 'details.reason' && r.surfaces.includes('rest')).map((r) => r.reason);

describe('error catalogue', () => {
  it('gives every code a value equal to its key, a status, a retry advice and a one-line meaning', () => {
    expect(ERROR_CATALOGUE.length).toBeGreaterThan(0);
    for (const e of ERROR_CATALOGUE) {
      expect(ErrorCode[e.code as ErrorCode]).toBe(e.code);
      expect(e.code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(e.httpStatus).toBe(ERROR_HTTP_STATUS[e.code as ErrorCode]);
      expect(Object.values(RetryAdvice)).toContain(e.retry);
      expect(e.meaning).toMatch(/^\S.*\.$/);
      expect(e.meaning).not.toContain('\n');
    }
    for (const r of ERROR_REASONS) {
      expect(ErrorReason[r.reason as ErrorReason]).toBe(r.reason);
      expect(isErrorCode(r.code)).toBe(true);
      expect(Object.values(RetryAdvice)).toContain(r.retry);
      expect(r.meaning).toMatch(/^\S.*\.$/);
    }
  });

  it('keeps the codes and statuses clients saw before it existed', () => {
    expect(DEFAULT_HTTP_STATUS).toEqual({
      BAD_REQUEST: 400,
      UNAUTHENTICATED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      FAILED_PRECONDITION: 409,
      QUOTA_EXCEEDED: 403,
      RATE_LIMITED: 429,
      INTERNAL_SERVER_ERROR: 500,
      UPSTREAM_AUTH: 502,
      UPSTREAM_INTERNAL: 502,
      UPSTREAM_TIMEOUT: 504,
      UPSTREAM_UNAVAILABLE: 502,
      DEADLINE_EXCEEDED: 504,
      UPSTREAM_CONTRACT: 502,
    });
    expect({ ...HttpErrorCode }).toEqual({ METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED', PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE', UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE' });
    expect([ERROR_HTTP_STATUS.METHOD_NOT_ALLOWED, ERROR_HTTP_STATUS.PAYLOAD_TOO_LARGE, ERROR_HTTP_STATUS.UNSUPPORTED_MEDIA_TYPE]).toEqual([405, 413, 415]);
    const statusOf = (reason: IdempotencyReason) => {
      const err = new IdempotencyError(reason, 'x');
      return [err.code, err.httpStatus];
    };
    expect(Object.values(IdempotencyReason).map(statusOf)).toEqual([
      ['BAD_REQUEST', 400],
      ['BAD_REQUEST', 422],
      ['CONFLICT', 409],
      ['CONFLICT', 409],
      ['CONFLICT', 409],
      ['RATE_LIMITED', 429],
      ['INTERNAL_SERVER_ERROR', 503],
    ]);
  });

  it('maps every upstream code to a catalogue code with the catalogue status', () => {
    for (const rule of [...Object.values(UPSTREAM_ERROR_TABLE), UNKNOWN_UPSTREAM_ERROR_RULE]) {
      expect(Object.values(GatewayErrorCode)).toContain(rule.gatewayCode);
      expect(rule.httpStatus).toBe(ERROR_HTTP_STATUS[rule.gatewayCode]);
    }
  });

  it('holds every reason the idempotency layer and the GraphQL limits answer', () => {
    const reasons = ERROR_REASONS.map((r) => r.reason);
    expect(reasons).toEqual(expect.arrayContaining([...Object.values(IdempotencyReason), ...Object.values(LimitErrorCode)]));
    for (const reason of Object.values(LimitErrorCode)) expect(ERROR_REASONS.find((r) => r.reason === reason)?.field).toBe('extensions.validationErrorCode');
  });
});

describe('README error table', () => {
  it('is the rendering of the catalogue (npm run docs:generate)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rendered = renderErrorTables();
    expect(readme).toContain(rendered);
    for (const e of ERROR_CATALOGUE) expect(rendered).toContain(`| \`${e.code}\` | ${e.httpStatus}`);
    for (const r of ERROR_REASONS) expect(rendered).toContain(`| \`${r.reason}\` |`);
  });
});

describe('OpenAPI error schema', () => {
  const doc = buildOpenApiDocument(REST_ROUTES) as {
    components: { schemas: Record<string, any>; responses: Record<string, { description: string; 'x-status': number }> };
  };
  const error = doc.components.schemas.GatewayError.properties.error.properties;

  it('enumerates exactly the catalogue codes REST answers, each with its meaning', () => {
    expect(error.code.enum).toEqual(REST_CODES);
    for (const e of ERROR_CATALOGUE.filter((x) => x.surfaces.includes('rest'))) expect(error.code.description).toContain(`\`${e.code}\`: ${e.meaning}`);
  });

  it('enumerates exactly the catalogue reasons of error.details.reason', () => {
    expect(error.details.properties.reason.enum).toEqual(REST_REASONS);
  });

  it('describes each error response with the catalogue codes and reasons of its status', () => {
    const responses = Object.values(doc.components.responses).filter((r) => r['x-status'] >= 400);
    expect(responses.length).toBeGreaterThan(0);
    for (const response of responses) {
      const status = response['x-status'];
      for (const e of ERROR_CATALOGUE.filter((x) => x.surfaces.includes('rest'))) {
        const answers = e.httpStatus === status || e.otherStatuses?.[status] !== undefined;
        expect(response.description.includes(`\`${e.code}\``), `${status} ${e.code}`).toBe(answers);
      }
      for (const r of ERROR_REASONS.filter((x) => x.field === 'details.reason' && x.httpStatus === status)) expect(response.description).toContain(`\`${r.reason}\``);
    }
  });
});

/** Quoted UPPER_SNAKE strings where an error code is written into an answer. */
const CODE_PATTERNS: readonly RegExp[] = [
  /\bcode\s*:\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g, // code: 'X' (GraphQL extensions, error bodies)
  /\bnew\s+\w*(?:Error|BadRequest)\(\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g, // new GatewayError('X', …)
  /\bnew\s+BadRequest\([^;]*?,\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\)/g,
  /\b\w*[eE]rror(?:Result|Response)?\(\s*\d{3}\s*,\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g, // errorResult(404, 'X', …)
  /\[\s*\d{3}\s*,\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g, // [404, 'X', message]
];
/** ... and where a caught error's code is compared with one. */
const COMPARED_CODE_PATTERNS: readonly RegExp[] = [/\bcode\s*[!=]==?\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g];
const REASON_PATTERNS: readonly RegExp[] = [/\b(?:reason|validationErrorCode)\s*:\s*['"`]([A-Z][A-Z0-9_]*)['"`]/g];

/** Codes of Node's and undici's own errors (`err.code === 'ECONNRESET'`): read from what they throw, never answered. */
const RUNTIME_ERROR_CODE = /^(E[A-Z]+|EAI_[A-Z]+|ERR_[A-Z0-9_]+|UND_ERR_[A-Z0-9_]+|HPE_[A-Z0-9_]+)$/;

function literals(source: string, patterns: readonly RegExp[]): string[] {
  return patterns.flatMap((p) => [...source.matchAll(p)].map((m) => m[1]));
}

function codeLiterals(source: string): string[] {
  return [...literals(source, CODE_PATTERNS), ...literals(source, COMPARED_CODE_PATTERNS).filter((code) => !RUNTIME_ERROR_CODE.test(code))];
}

/**
 * Codes written into browser scripts the gateway serves, never answered by the gateway itself:
 * the playground page refuses to send a request whose headers still hold the placeholder key.
 */
const BROWSER_ONLY: Readonly<Record<string, readonly string[]>> = { 'src/playground/page.ts': ['CREDENTIAL_PLACEHOLDER'] };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && /\.tsx?$/.test(d.name))
    .map((d) => join(d.parentPath, d.name));
}

describe('error code literals', () => {
  it('the scan finds codes and reasons written as literals', () => {
    const sample = [
      "throw new GraphQLError('m', { extensions: { code: 'NO_SUCH_CODE' } });",
      "if (err.code === 'OTHER_CODE') return;",
      "if (err.code !== 'ECONNRESET') return;",
      "errorResult(418, 'TEAPOT', 'm', id);",
      "return [421, 'ELSEWHERE', 'm'];",
      "new GatewayError('MADE_UP', 'm');",
      "new BadRequest('m', 'PARSE_IT')",
    ].join('\n');
    expect(codeLiterals(sample).sort()).toEqual(['ELSEWHERE', 'MADE_UP', 'NO_SUCH_CODE', 'OTHER_CODE', 'PARSE_IT', 'TEAPOT']);
    expect(literals("details: { reason: 'SOME_REASON' }", REASON_PATTERNS)).toEqual(['SOME_REASON']);
  });

  it('every code and reason written in src/ and handlers/ is in the catalogue', () => {
    const codes = new Set(ERROR_CATALOGUE.map((e) => e.code));
    const reasons = new Set(ERROR_REASONS.map((r) => r.reason));
    // The simulator answers the upstream's own codes, not the gateway's; the catalogue defines them.
    const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'handlers'))].filter(
      (f) => !/[\\/]src[\\/](simulator|errors)[\\/]/.test(f),
    );
    expect(files.length).toBeGreaterThan(50);
    const unknown: string[] = [];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const browserOnly = BROWSER_ONLY[relative(ROOT, file).split('\\').join('/')] ?? [];
      for (const code of codeLiterals(source)) if (!codes.has(code) && !browserOnly.includes(code)) unknown.push(`${relative(ROOT, file)}: code ${code}`);
      for (const reason of literals(source, REASON_PATTERNS)) if (!reasons.has(reason)) unknown.push(`${relative(ROOT, file)}: reason ${reason}`);
    }
    expect(unknown).toEqual([]);
  });
});
