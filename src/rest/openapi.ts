/**
 * The OpenAPI 3.1 document of the REST facade, generated from the spec and the route table:
 * - one path per action (`/v1/actions/<Action>`), request schema from the documented inputs
 *   (with the constraints the validator enforces), response schema from the documented outputs;
 * - every resource route of `routes/`, with parameters, bodies, responses and headers;
 * - one `GatewayError` schema behind every error response; 400, 401, 403, 429, 500, 502 and 504
 *   on every operation, plus 404/405/409/413/415/422/503 where the operation can answer them;
 * - security as `src/auth` enforces it: an API key in `X-API-Key` or a bearer JWT, with the scopes
 *   each operation needs (read, write, keys) as role names;
 * - idempotency as `index.ts` honours it: an `Idempotency-Key` header on every write operation,
 *   `Idempotent-Replayed` on replayed answers, 409/422/503 for the key's conflicts.
 * Descriptions are the English texts of `spec/en.json`. Built once, then cached.
 */
import { requiredScopes, type Scope } from '../auth/scopes';
import { ERROR_CATALOGUE, ERROR_REASONS } from '../errors';
import { isDocsPath } from '../http/routes';
import { actionNames, getAction, getStructure, spec } from '../spec';
import { ID_PATTERNS } from './http';
import type { ResponseDoc, Route, SchemaSource } from './router';
import {
  ISO_SUFFIX,
  REQUEST_ID_SCHEMA,
  UPSTREAM_DATE_TIME_NOTE,
  actionRequestSchema,
  actionResponseSchema,
  enText,
  outputSchemaName,
  reachableStructures,
  ref,
  structureSchema,
  structureSchemaName,
  type JsonSchema,
} from './schemas';
import type { TimeFormat } from './times';

export const OPENAPI_VERSION = '3.1.0';

const REST_ERRORS = ERROR_CATALOGUE.filter((e) => e.surfaces.includes('rest'));
const REST_REASONS = ERROR_REASONS.filter((r) => r.field === 'details.reason' && r.surfaces.includes('rest'));

/** The error responses by status; their descriptions list the catalogue's codes and reasons with that status. */
const ERROR_STATUSES: Readonly<Record<number, { name: string; description: string }>> = Object.fromEntries(
  Object.entries({
    400: 'BadRequest',
    401: 'Unauthenticated',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    413: 'PayloadTooLarge',
    415: 'UnsupportedMediaType',
    422: 'IdempotencyKeyReused',
    429: 'RateLimited',
    500: 'InternalError',
    502: 'UpstreamError',
    503: 'IdempotencyUnavailable',
    504: 'UpstreamTimeout',
  }).map(([status, name]) => [status, { name, description: errorStatusDescription(Number(status)) }]),
);

/** What the catalogue says about one status: each REST code answered with it, then each reason. */
export function errorStatusDescription(status: number): string {
  const codes = REST_ERRORS.filter((e) => e.httpStatus === status || e.otherStatuses?.[status] !== undefined).map(
    (e) => `- \`${e.code}\`${e.httpStatus === status ? '' : ` (when ${e.otherStatuses![status]})`}: ${e.meaning} Retry: ${e.retry}.`,
  );
  const reasons = REST_REASONS.filter((r) => r.httpStatus === status).map((r) => `- error.details.reason \`${r.reason}\` (${r.code}): ${r.meaning} Retry: ${r.retry}.`);
  return [`HTTP ${status}, with error.code:`, ...codes, ...reasons].join('\n');
}

/** Statuses every operation can answer: bad input, authentication, scopes, rate limits, failures. */
const COMMON_ERRORS = [400, 401, 403, 429, 500, 502, 504];
/** What a write operation with an Idempotency-Key can answer besides. */
const IDEMPOTENCY_ERRORS = [409, 422, 503];

/** Every code a REST error body can carry, from the one catalogue. */
export const ERROR_CODES: readonly string[] = REST_ERRORS.map((e) => e.code);
/** Every `error.details.reason` a REST error body can carry. */
export const ERROR_DETAIL_REASONS: readonly string[] = REST_REASONS.map((r) => r.reason);

const REPLAYED_HEADER = 'Idempotent-Replayed';

const TASK_STATE: JsonSchema = { type: ['string', 'null'], enum: ['RUNNING', 'SUCCEEDED', 'FAILED', null], description: 'RUNNING until the task is final; null for an undocumented status code.' };
const LOCATION: JsonSchema = { type: 'string', description: 'Relative URL to poll (same as the Location header).' };

/** Schemas of the REST layer itself (task and deployment views, the error body). */
function restSchemas(): Record<string, JsonSchema> {
  return {
    // Not `Error`: that name belongs to the documented structure {Code, Message} of task results.
    GatewayError: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message', 'requestId'],
          properties: {
            code: {
              type: 'string',
              enum: [...ERROR_CODES],
              description: ['Stable code (the README error table gives each with its HTTP status and retry advice):', ...REST_ERRORS.map((e) => `- \`${e.code}\`: ${e.meaning}`)].join('\n'),
            },
            message: { type: 'string' },
            requestId: { type: 'string', description: 'Gateway request id (also in the X-Request-Id header).' },
            details: {
              type: 'object',
              additionalProperties: true,
              properties: {
                fields: {
                  type: 'array',
                  description: 'Validation problems.',
                  items: {
                    type: 'object',
                    required: ['path', 'reason', 'message'],
                    properties: {
                      path: { type: 'string', description: 'e.g. CertificateIds[3], Tags[0].TagKey, limit' },
                      reason: { type: 'string', enum: ['body', 'unknown', 'required', 'type', 'maxItems', 'maximum', 'minimum', 'enum'] },
                      message: { type: 'string' },
                      expected: { type: 'string' },
                      allowed: { type: 'array', items: { type: 'string' } },
                      max: { type: 'integer' },
                    },
                  },
                },
                outcomeUnknown: { type: 'boolean', description: 'The upstream may have executed the call although it failed: check the state before repeating a write.' },
                reason: {
                  type: 'string',
                  enum: [...ERROR_DETAIL_REASONS],
                  description: ['Which case of the code (an Idempotency-Key conflict, the rate limiter):', ...REST_REASONS.map((r) => `- \`${r.reason}\` (${r.code}, ${r.httpStatus}): ${r.meaning}`)].join('\n'),
                },
              },
            },
            upstream: {
              type: 'object',
              description: 'Present when the SSL API answered with an error (or could not be reached).',
              required: ['action', 'code', 'message', 'requestId'],
              properties: {
                action: { type: 'string' },
                code: { type: 'string', description: 'Upstream Error.Code, or a Gateway.* pseudo code for transport failures.' },
                message: { type: 'string' },
                requestId: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    ActionList: {
      type: 'object',
      required: ['TotalCount', 'Actions'],
      properties: {
        TotalCount: { type: 'integer' },
        Actions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['Name', 'Summary', 'Kind', 'RateLimit', 'Deprecated', 'Route'],
            properties: {
              Name: { type: 'string' },
              Summary: { type: 'string' },
              Kind: { type: 'string', enum: ['read', 'write'] },
              RateLimit: { type: 'integer', description: 'Documented upstream limit, calls per second per account.' },
              Deprecated: { type: 'boolean' },
              Route: { type: 'string' },
            },
          },
        },
      },
    },
    TaskState: TASK_STATE,
    TaskAccepted: {
      type: 'object',
      required: ['TaskId', 'Location', 'RequestId'],
      properties: { TaskId: { type: 'string' }, CertificateId: { type: 'string' }, Location: LOCATION, RequestId: REQUEST_ID_SCHEMA },
    },
    DeleteCertificateAccepted: {
      allOf: [isoRef('DeleteCertificateResponse'), { type: 'object', required: ['Location'], properties: { Location: LOCATION } }],
    },
    DeleteCertificatesAccepted: {
      allOf: [
        isoRef('DeleteCertificatesResponse'),
        {
          type: 'object',
          required: ['Location'],
          properties: {
            Location: { type: 'string', description: '/v1/delete-tasks/{id} for one task, /v1/delete-tasks?ids=… for several.' },
            CertTaskIds: { type: 'array', items: { allOf: [isoRef('CertTaskId'), { type: 'object', properties: { Location: LOCATION } }] } },
          },
        },
      ],
    },
    BindResourceTaskStatus: {
      allOf: [
        isoRef('SyncTaskBindResourceResult'),
        { type: 'object', required: ['State', 'Done', 'RequestId'], properties: { State: ref('TaskState'), Done: { type: 'boolean' }, RequestId: REQUEST_ID_SCHEMA } },
      ],
    },
    DeleteTaskStatus: {
      allOf: [
        isoRef('DeleteTaskResult'),
        { type: 'object', required: ['State', 'Done', 'RequestId'], properties: { State: ref('TaskState'), Done: { type: 'boolean' }, RequestId: REQUEST_ID_SCHEMA } },
      ],
    },
    DeleteTaskList: {
      type: 'object',
      required: ['Tasks', 'NotFound', 'Done', 'RequestId'],
      properties: {
        Tasks: {
          type: 'array',
          items: { allOf: [isoRef('DeleteTaskResult'), { type: 'object', properties: { State: ref('TaskState'), Done: { type: 'boolean' }, Location: LOCATION } }] },
        },
        NotFound: { type: 'array', items: { type: 'string' }, description: 'Requested ids the upstream does not know.' },
        Done: { type: 'boolean', description: 'True when every found task is final.' },
        RequestId: REQUEST_ID_SCHEMA,
      },
    },
    DeploymentState: {
      type: 'string',
      enum: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'PARTIALLY_FAILED'],
    },
    DeploymentAccepted: {
      type: 'object',
      required: ['DeployRecordId', 'Kind', 'Location', 'RequestId'],
      properties: {
        DeployRecordId: { type: 'integer' },
        DeployStatus: { type: 'integer', description: 'Start routes: 1 (a new deployment).' },
        UpdateSyncProgress: { type: ['array', 'null'], items: isoRef('UpdateSyncProgress') },
        RolledBackRecordId: { type: 'integer', description: 'Rollback: the record that was rolled back.' },
        Kind: { type: 'string', enum: ['deploy', 'update', 'upload-update'] },
        Location: LOCATION,
        RequestId: REQUEST_ID_SCHEMA,
      },
    },
    DeploymentStatus: {
      type: 'object',
      required: ['DeployRecordId', 'Kind', 'State', 'Done', 'Progress', 'RequestId'],
      properties: {
        DeployRecordId: { type: 'integer' },
        Kind: { type: 'string', enum: ['deploy', 'update', 'upload-update'] },
        State: ref('DeploymentState'),
        Done: { type: 'boolean', description: 'True when every instance is final.' },
        Progress: {
          type: 'object',
          required: ['Total', 'Succeeded', 'Failed', 'Running', 'Pending'],
          properties: {
            Total: { type: 'integer' },
            Succeeded: { type: 'integer' },
            Failed: { type: 'integer' },
            Running: { type: 'integer' },
            Pending: { type: 'integer' },
          },
        },
        TotalCount: { type: 'integer' },
        SuccessTotalCount: { type: 'integer' },
        FailedTotalCount: { type: 'integer' },
        RunningTotalCount: { type: 'integer' },
        DeployRecordDetailList: { type: ['array', 'null'], items: isoRef('DeployRecordDetail'), description: 'deploy: a page of instances.' },
        RecordDetailList: { type: ['array', 'null'], items: isoRef('UpdateRecordDetails'), description: 'update: a page of instances per resource type.' },
        DeployRecordDetail: { type: ['array', 'null'], items: isoRef('DeployRecord'), description: 'upload-update: the record and its rollbacks.' },
        RequestId: REQUEST_ID_SCHEMA,
      },
    },
  };
}

/** A documented output schema (structure or `<Action>Response`) in the resource routes' form: times in ISO 8601. */
function isoRef(name: string): JsonSchema {
  return ref(outputSchemaName(name, 'iso'));
}

function schemaFor(source: SchemaSource, times: TimeFormat): JsonSchema {
  if ('component' in source) return ref(source.component);
  if (source.part === 'response') return ref(outputSchemaName(`${source.action}Response`, times));
  return source.omit?.length ? actionRequestSchema(source.action, source.omit) : ref(`${source.action}Request`);
}

const HEADER_DOCS: Readonly<Record<string, JsonSchema>> = {
  Location: { description: 'Where to poll or find the resource (relative URL).', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before polling again.', schema: { type: 'integer', minimum: 0 } },
};

const REPLAYED_HEADER_DOC: JsonSchema = {
  description: 'Present (value "true") when this answer is the stored answer of an earlier request with the same Idempotency-Key; nothing was executed again.',
  schema: { type: 'string', enum: ['true'] },
};
const REQUEST_ID_HEADER_DOC: JsonSchema = { description: 'Gateway request id (also error.requestId).', schema: { type: 'string' } };

/** The scopes an operation needs, from the upstream actions it calls (src/auth/scopes.ts). */
function operationSecurity(actions: readonly string[]): JsonSchema[] {
  const scopes = new Set<Scope>();
  for (const a of actions) for (const sc of requiredScopes(a)) scopes.add(sc);
  const roles = [...scopes];
  return [{ ApiKeyAuth: roles }, { BearerAuth: roles }];
}

const IDEMPOTENCY_KEY_PARAMETER: JsonSchema = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a write safe to repeat (1-255 printable ASCII characters without spaces; a UUID is best): a repeat by the same caller with the same key, method, path and body within the TTL (IDEMPOTENCY_TTL_SECONDS, 24 h by default) answers the stored first answer with Idempotent-Replayed: true instead of executing again. The same key with another request is refused with 422; a repeat while the first is still running gets 409. Write operations only: read actions do not use the header.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
};

/** Write operations take an Idempotency-Key, mark replays, and can answer the key's conflicts. */
function withIdempotency(op: JsonSchema): void {
  op.parameters = [...((op.parameters as JsonSchema[] | undefined) ?? []), { ...IDEMPOTENCY_KEY_PARAMETER }];
  const responses = op.responses as Record<string, JsonSchema>;
  for (const [status, r] of Object.entries(responses)) {
    if (!/^2/.test(status) || '$ref' in r) continue;
    r.headers = { ...((r.headers as JsonSchema | undefined) ?? {}), [REPLAYED_HEADER]: REPLAYED_HEADER_DOC };
  }
  Object.assign(responses, errorRefs(IDEMPOTENCY_ERRORS));
  op.responses = sortedResponses(responses);
}

function sortedResponses(responses: Record<string, JsonSchema>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

function responseObject(doc: ResponseDoc, times: TimeFormat): JsonSchema {
  const out: JsonSchema = { description: doc.description };
  if (doc.body) out.content = { 'application/json': { schema: schemaFor(doc.body, times) } };
  out.headers = { ...Object.fromEntries((doc.headers ?? []).map((h) => [h, HEADER_DOCS[h]])), 'X-Request-Id': REQUEST_ID_HEADER_DOC };
  return out;
}

function errorRefs(statuses: readonly number[]): Record<string, JsonSchema> {
  const all = [...new Set([...COMMON_ERRORS, ...statuses])].sort((a, b) => a - b);
  return Object.fromEntries(all.map((s) => [String(s), { $ref: `#/components/responses/${ERROR_STATUSES[s].name}` }]));
}

function pathParamSchema(kind: string): JsonSchema {
  if (kind === 'action') return { type: 'string', enum: [...actionNames] };
  if (kind === 'deploymentKind') return { type: 'string', enum: ['deploy', 'update', 'upload-update'] };
  const p = ID_PATTERNS[kind as keyof typeof ID_PATTERNS];
  return { type: 'string', pattern: p.pattern.source };
}

function routeOperation(route: Route): JsonSchema {
  const d = route.doc;
  const op: JsonSchema = {
    operationId: d.operationId,
    summary: d.summary,
    description: d.actions.length && d.actions.length <= 3 ? `${d.description}\n\nUpstream: ${d.actions.join(', ')}.` : d.description,
    tags: [...d.tags],
  };
  const parameters: JsonSchema[] = [];
  for (const p of d.pathParams ?? []) {
    parameters.push({ name: p.name, in: 'path', required: true, description: p.description, schema: pathParamSchema(p.kind) });
  }
  for (const q of d.query?.() ?? []) {
    const param: JsonSchema = { name: q.name, in: 'query', required: q.required ?? false, description: q.description, schema: q.schema };
    if (q.schema.type === 'array') {
      param.style = 'form';
      param.explode = false;
    }
    parameters.push(param);
  }
  if (parameters.length) op.parameters = parameters;
  if (d.requestBody) {
    op.requestBody = { required: d.requestBody.required, description: d.requestBody.description, content: { 'application/json': { schema: schemaFor(d.requestBody.source, 'upstream') } } };
  }
  op.responses = sortedResponses({ ...Object.fromEntries(Object.entries(d.responses).map(([s, r]) => [s, responseObject(r, route.times ?? 'iso')])), ...errorRefs(d.errors ?? []) });
  op.security = operationSecurity(d.actions);
  if (isDocsPath(route.path)) {
    // The documentation answers without a credential unless the deployment sets PUBLIC_DOCS=false;
    // `{}` (no requirement) first says so, the schemes after it apply when it is turned off.
    op.security = [{}, ...(op.security as JsonSchema[])];
    op.description = `${op.description}\n\nPublic: answers without a credential unless the gateway runs with PUBLIC_DOCS=false.`;
  }
  if (route.method !== 'GET') withIdempotency(op);
  return op;
}

/** One operation per documented action, replacing the template route `/v1/actions/{Action}`. */
function actionOperation(name: string): JsonSchema {
  const a = getAction(name)!;
  const t = enText.actions[name] ?? {};
  const notes = [`Upstream action ${name} (${a.kind}); documented rate limit ${a.rateLimit} calls/s per account.`];
  if (a.deprecated) notes.push(`Deprecated upstream${a.deprecated.replacement ? `; use ${a.deprecated.replacement}` : ''}.`);
  const op: JsonSchema = {
    operationId: `action${name}`,
    summary: t.summary ?? name,
    description: [t.description, notes.join(' ')].filter(Boolean).join('\n\n'),
    tags: [a.kind === 'read' ? 'Actions (read)' : 'Actions (write)'],
    requestBody: {
      required: a.inputs.some((m) => m.required),
      description: `The documented ${name} parameters (PascalCase).`,
      content: { 'application/json': { schema: ref(`${name}Request`) } },
    },
    responses: sortedResponses({
      '200': {
        description: `The documented ${name} response without the envelope, with RequestId. Times are the upstream's text: ${UPSTREAM_DATE_TIME_NOTE}`,
        headers: { 'X-Request-Id': REQUEST_ID_HEADER_DOC },
        content: { 'application/json': { schema: ref(`${name}Response`) } },
      },
      ...errorRefs([404, 409, 413, 415]),
    }),
    security: operationSecurity([name]),
    'x-upstream-action': name,
    'x-rate-limit-per-second': a.rateLimit,
  };
  if (a.deprecated) op.deprecated = true;
  if (a.kind === 'write') withIdempotency(op);
  else op.description = `${op.description as string}\n\nA read action: an Idempotency-Key header is not used (reads are safe to repeat).`;
  return op;
}

/**
 * Defines the resource routes' forms (`<Name>Iso`) of the documented schemas that the document
 * refers to, and of the ones those refer to in turn: only what is used becomes a component.
 */
function addIsoComponents(schemas: Record<string, JsonSchema>, paths: unknown): void {
  for (;;) {
    const missing = [...referencedSchemas({ schemas, paths })].filter((name) => !(name in schemas));
    if (!missing.length) return;
    for (const name of missing) {
      const base = name.endsWith(ISO_SUFFIX) ? name.slice(0, -ISO_SUFFIX.length) : undefined;
      const action = base ? /^(\w+)Response$/.exec(base)?.[1] : undefined;
      if (action && getAction(action)) schemas[name] = actionResponseSchema(action, 'iso');
      else if (base && getStructure(base)) schemas[name] = structureSchema(base, 'output', 'iso');
      else throw new Error(`OpenAPI document refers to an undefined schema ${name}`);
    }
  }
}

function referencedSchemas(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) referencedSchemas(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) out.add(v.slice('#/components/schemas/'.length));
      else referencedSchemas(v, out);
    }
  }
  return out;
}

export function buildOpenApiDocument(routes: readonly Route[]): JsonSchema {
  const schemas: Record<string, JsonSchema> = {};
  for (const s of reachableStructures('output')) schemas[structureSchemaName(s, 'output')] = structureSchema(s, 'output');
  for (const s of reachableStructures('input')) schemas[structureSchemaName(s, 'input')] = structureSchema(s, 'input');
  for (const name of actionNames) {
    schemas[`${name}Request`] = actionRequestSchema(name);
    schemas[`${name}Response`] = actionResponseSchema(name);
  }
  Object.assign(schemas, restSchemas());

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    if (route.path === '/v1/actions/{Action}') {
      for (const name of actionNames) paths[`/v1/actions/${name}`] = { post: actionOperation(name) };
      continue;
    }
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = routeOperation(route);
  }

  addIsoComponents(schemas, paths);

  const responses = Object.fromEntries(
    Object.values(ERROR_STATUSES).map((e, i) => {
      const status = Number(Object.keys(ERROR_STATUSES)[i]);
      const headers: JsonSchema = { 'X-Request-Id': REQUEST_ID_HEADER_DOC };
      if (status === 401) headers['WWW-Authenticate'] = { description: 'The accepted schemes (Bearer; X-API-Key).', schema: { type: 'string' } };
      if (status === 405) headers.Allow = { description: 'Allowed methods.', schema: { type: 'string' } };
      if (status === 429 || status === 503) headers['Retry-After'] = HEADER_DOCS['Retry-After'];
      // A refused replay (e.g. the stored answer was an error) says so too.
      if (status >= 400 && status !== 401) headers[REPLAYED_HEADER] = REPLAYED_HEADER_DOC;
      return [e.name, { description: e.description, headers, content: { 'application/json': { schema: ref('GatewayError') } }, 'x-status': status }];
    }),
  );

  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'ssl-gateway REST API',
      version: spec.version,
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'REST facade of the Tencent Cloud SSL Certificate API (version 2019-12-05). Every action is callable as POST /v1/actions/{Action} with its documented parameters; resource routes cover the common flows, with 202 + Location + Retry-After for asynchronous work. Every error has the body described by the GatewayError schema.\n\nAuthentication: X-API-Key or Authorization: Bearer <JWT> on every operation; each operation lists the scopes it needs.\n\nIdempotency: write operations accept an Idempotency-Key header (see the parameter).\n\nTimes: the resource routes (everything but POST /v1/actions/{Action}) answer every documented time in ISO 8601 with the offset written, e.g. "2025-12-02T07:59:59+08:00" (format date-time; null when the upstream has no time yet), exactly as the GraphQL endpoint does; their schemas with times are the `…Iso` components. POST /v1/actions/{Action} is the raw form of the API: its answers carry the upstream\'s own text, "YYYY-MM-DD hh:mm:ss" in China Standard Time (UTC+08:00) without an offset (empty, "0000-00-00 00:00:00" or "--" when there is no time), and its parameters take the same form. No resource route takes a time parameter.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Certificates', description: 'List, read, upload, download and delete certificates.' },
      { name: 'Bind-resource tasks', description: 'Asynchronous lookups of the cloud resources bound to certificates.' },
      { name: 'Delete tasks', description: 'Asynchronous certificate deletions that check bound resources.' },
      { name: 'Deployments', description: 'Deploy, update and upload-update records, with retry and rollback.' },
      { name: 'Actions', description: 'The generic action route and the action list.' },
      { name: 'Actions (read)', description: 'Actions without side effects.' },
      { name: 'Actions (write)', description: 'Actions that change state.' },
      { name: 'Meta', description: 'This document and its HTML reference.' },
    ],
    security: [{ ApiKeyAuth: [] }, { BearerAuth: [] }],
    paths,
    components: {
      schemas,
      responses,
      securitySchemes: {
        ApiKeyAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description:
            'A client API key configured on the gateway (GATEWAY_API_KEYS), with its scopes. The scopes an operation needs are listed as role names in its security requirement: read, write, keys (private-key material).',
        },
        BearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT from the configured issuer (signature, issuer, audience and expiry checked), with its scopes in the scope/scp claim. Send either this or X-API-Key, not both.',
        },
      },
    },
  };
}
