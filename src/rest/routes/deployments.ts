/**
 * Deployments of certificates to cloud resources, three kinds with one URL scheme:
 *
 *   kind           start route                                action                           status (GET /v1/deployments/{kind}/{id})
 *   deploy         POST /v1/certificates/{id}/deployments     DeployCertificateInstance        DescribeHostDeployRecordDetail
 *   update         PUT  /v1/certificates/{id}/replacement     UpdateCertificateInstance        DescribeHostUpdateRecordDetail
 *   upload-update  PUT  /v1/certificates/{id}/content         UploadUpdateCertificateInstance  DescribeHostUploadUpdateRecordDetail
 *
 * Starting answers 202 + Location `/v1/deployments/{kind}/{recordId}` + Retry-After. When a
 * deployment of the same certificate and resource type is already running (DeployStatus 0) the
 * answer is 409 CONFLICT with the running record's Location. For the update kinds the upstream
 * may answer DeployRecordId 0 ("still being created, call again"): `startDeployment` repeats the
 * call with backoff within the wait policy before answering.
 *
 * The status answers 202 + Retry-After until every instance is final, then 200; `State` is
 * PENDING | RUNNING | SUCCEEDED | FAILED | PARTIALLY_FAILED (`src/tasks/states.ts`). For
 * upload-update records (whose rollbacks live inside the same record) the state is that of the
 * latest entry, see `latestUploadUpdateProgress`.
 */
import type { Json, UpstreamCaller } from '../../upstream/caller';
import {
  DETAIL_ACTION,
  RETRY_ACTION,
  ROLLBACK_ACTION,
  START_ACTION,
  readDeploymentPage,
  type DeploymentKind,
} from '../../tasks/deployments';
import { startDeployment, type StartedDeployment } from '../../tasks/start-deployment';
import { deploymentDone, deploymentState } from '../../tasks/states';
import { GatewayErrorCode, isGatewayError, isUpstreamError } from '../../upstream/errors';
import { RestError, notFound } from '../errors';
import { json, pathId, queryInteger } from '../http';
import { asMemberType, paramsFromBody, validateParams } from '../params';
import type { Route, RouteContext } from '../router';
import { CERTIFICATE_ID_PARAM, rejectUnknownQuery } from './certificates';

/** URL names of the deployment kinds. */
export const DEPLOYMENT_KINDS: Readonly<Record<string, DeploymentKind>> = {
  deploy: 'DEPLOY',
  update: 'UPDATE',
  'upload-update': 'UPLOAD_UPDATE',
};
const URL_KIND: Readonly<Record<DeploymentKind, string>> = { DEPLOY: 'deploy', UPDATE: 'update', UPLOAD_UPDATE: 'upload-update' };

export function deploymentLocation(kind: DeploymentKind, recordId: string): string {
  return `/v1/deployments/${URL_KIND[kind]}/${encodeURIComponent(recordId)}`;
}

function kindOf(raw: string): DeploymentKind {
  const kind = Object.prototype.hasOwnProperty.call(DEPLOYMENT_KINDS, raw) ? DEPLOYMENT_KINDS[raw] : undefined;
  if (!kind) throw notFound(`Unknown deployment kind ${JSON.stringify(raw.slice(0, 32))}: use deploy, update or upload-update`, { kind: raw.slice(0, 32) });
  return kind;
}

const KIND_PARAM = { name: 'kind', kind: 'deploymentKind', description: 'deploy | update | upload-update' } as const;
const RECORD_PARAM = { name: 'id', kind: 'record', description: 'Deployment record id (DeployRecordId).' } as const;

/** The one start flow of the three kinds: the old/target certificate id comes from the path. */
async function start(ctx: RouteContext, kind: DeploymentKind, pathMember: 'CertificateId' | 'OldCertificateId') {
  const certId = pathId(ctx.params.id, 'certificate', 'id');
  const action = START_ACTION[kind];
  const params = paramsFromBody(action, ctx.body(), { [pathMember]: certId });
  let started: StartedDeployment;
  try {
    started = await startDeployment(ctx.upstream, kind, params, ctx.wait);
  } catch (e) {
    // Still being created after the wait budget: same error, plus when to repeat the request.
    if (isGatewayError(e) && !isUpstreamError(e) && e.details?.stillCreating === true) {
      throw new RestError(GatewayErrorCode.CONFLICT, e.message, { details: { ...e.details }, headers: { 'retry-after': String(ctx.retryAfterSeconds) } });
    }
    throw e;
  }
  const location = deploymentLocation(kind, started.recordId);
  const recordId = Number(started.recordId);
  if (!started.started) {
    throw new RestError(GatewayErrorCode.CONFLICT, `A ${URL_KIND[kind]} deployment of certificate ${certId} is already running (record ${recordId})`, {
      details: { deployRecordId: recordId, kind: URL_KIND[kind], location, upstreamRequestId: started.requestId },
      headers: { location, 'retry-after': String(ctx.retryAfterSeconds) },
    });
  }
  const body = { ...started.response, Kind: URL_KIND[kind], Location: location };
  return json(202, body, ctx.req.requestId, { location, 'retry-after': String(ctx.retryAfterSeconds) });
}

/** Calls the upstream and remembers the last answer (readDeploymentPage returns a normalised page only). */
function capturing(upstream: UpstreamCaller): { caller: UpstreamCaller; last(): Json } {
  let last: Json = {};
  return {
    caller: {
      async call(action, params, options) {
        last = await upstream.call(action, params, options);
        return last;
      },
    },
    last: () => last,
  };
}


/** Converts `{deployRecordId, limit, offset}` to the detail action's documented member types and validates them. */
function detailParams(action: string, args: Json): Json {
  const out: Json = { DeployRecordId: asMemberType(action, 'DeployRecordId', String(args.deployRecordId)) };
  if (args.limit !== undefined) out.Limit = asMemberType(action, 'Limit', Number(args.limit));
  if (args.offset !== undefined) out.Offset = asMemberType(action, 'Offset', Number(args.offset));
  return validateParams(action, out, (p) => (p === 'Limit' ? 'limit' : p === 'Offset' ? 'offset' : p));
}

export const deploymentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/certificates/{id}/deployments',
    doc: {
      operationId: 'deployCertificate',
      summary: 'Deploy a certificate to cloud resources',
      description:
        'DeployCertificateInstance with CertificateId from the path. 202 with Location /v1/deployments/deploy/{recordId} and Retry-After. 409 with the running record\'s Location when a deployment of this certificate to the same resource type is already running.',
      tags: ['Deployments'],
      actions: ['DeployCertificateInstance'],
      pathParams: [CERTIFICATE_ID_PARAM],
      requestBody: {
        source: { action: 'DeployCertificateInstance', part: 'request', omit: ['CertificateId'] },
        required: true,
        description: 'The documented DeployCertificateInstance parameters without CertificateId.',
      },
      responses: { '202': { description: 'The deployment was started.', body: { component: 'DeploymentAccepted' }, headers: ['Location', 'Retry-After'] } },
      errors: [404, 409, 413, 415],
    },
    handle: (ctx) => start(ctx, 'DEPLOY', 'CertificateId'),
  },
  {
    method: 'PUT',
    path: '/v1/certificates/{id}/replacement',
    doc: {
      operationId: 'replaceCertificateOnResources',
      summary: 'Replace a certificate on its cloud resources',
      description:
        'UpdateCertificateInstance with OldCertificateId from the path: every resource of the given types that uses this certificate switches to the new one (CertificateId, or an uploaded CertificatePublicKey/CertificatePrivateKey). While the upstream is still creating the record (DeployRecordId 0) the gateway calls again with backoff, within its wait limit; if the record is still not there, 409 with Retry-After: repeat the same request. 202 with Location /v1/deployments/update/{recordId}; 409 with the running record\'s Location when an update is already running.',
      tags: ['Deployments'],
      actions: ['UpdateCertificateInstance'],
      pathParams: [{ ...CERTIFICATE_ID_PARAM, description: 'The certificate being replaced (OldCertificateId).' }],
      requestBody: {
        source: { action: 'UpdateCertificateInstance', part: 'request', omit: ['OldCertificateId'] },
        required: true,
        description: 'The documented UpdateCertificateInstance parameters without OldCertificateId.',
      },
      responses: { '202': { description: 'The update was started.', body: { component: 'DeploymentAccepted' }, headers: ['Location', 'Retry-After'] } },
      errors: [404, 409, 413, 415],
    },
    handle: (ctx) => start(ctx, 'UPDATE', 'OldCertificateId'),
  },
  {
    method: 'PUT',
    path: '/v1/certificates/{id}/content',
    doc: {
      operationId: 'replaceCertificateContent',
      summary: 'Upload new content for a certificate and update its resources',
      description:
        'UploadUpdateCertificateInstance with OldCertificateId from the path: the certificate keeps its id, gets the uploaded content, and the resources using it are updated. Same 202/409 behaviour as the replacement route; Location /v1/deployments/upload-update/{recordId}.',
      tags: ['Deployments'],
      actions: ['UploadUpdateCertificateInstance'],
      pathParams: [{ ...CERTIFICATE_ID_PARAM, description: 'The certificate whose content is replaced (OldCertificateId).' }],
      requestBody: {
        source: { action: 'UploadUpdateCertificateInstance', part: 'request', omit: ['OldCertificateId'] },
        required: true,
        description: 'The documented UploadUpdateCertificateInstance parameters without OldCertificateId.',
      },
      responses: { '202': { description: 'The update was started.', body: { component: 'DeploymentAccepted' }, headers: ['Location', 'Retry-After'] } },
      errors: [404, 409, 413, 415],
    },
    handle: (ctx) => start(ctx, 'UPLOAD_UPDATE', 'OldCertificateId'),
  },
  {
    method: 'GET',
    path: '/v1/deployments/{kind}/{id}',
    doc: {
      operationId: 'getDeployment',
      summary: 'Poll a deployment record',
      description:
        'Progress and state of a deployment record, with a page of its instances (query limit ≤ 200, offset). 202 with Retry-After until every instance is final, then 200. The documented detail answer is included under its own member names (DeployRecordDetailList, RecordDetailList or DeployRecordDetail).',
      tags: ['Deployments'],
      actions: Object.values(DETAIL_ACTION),
      pathParams: [KIND_PARAM, RECORD_PARAM],
      query: () => [
        { name: 'limit', schema: { type: 'integer', minimum: 0, maximum: 200, default: 10 }, description: 'Instances per page (≤ 200).' },
        { name: 'offset', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'Instances to skip.' },
      ],
      responses: {
        '200': { description: 'Every instance is final.', body: { component: 'DeploymentStatus' } },
        '202': { description: 'The deployment is still running.', body: { component: 'DeploymentStatus' }, headers: ['Retry-After'] },
      },
      errors: [404],
    },
    async handle(ctx) {
      const kind = kindOf(ctx.params.kind);
      const id = pathId(ctx.params.id, 'record', 'id');
      rejectUnknownQuery(ctx.req.query, ['limit', 'offset']);
      const limit = queryInteger(ctx.req, 'limit') ?? 10;
      const offset = queryInteger(ctx.req, 'offset') ?? 0;
      const cap = capturing(ctx.upstream);
      const page = await readDeploymentPage(cap.caller, kind, detailParams, id, limit, offset);
      const { RequestId, ...raw } = cap.last();
      const p = page.progress;
      const state = deploymentState(p);
      const done = deploymentDone(p);
      const body = {
        DeployRecordId: Number(id),
        Kind: URL_KIND[kind],
        State: state,
        Done: done,
        Progress: { Total: p.total, Succeeded: p.succeeded, Failed: p.failed, Running: p.running, Pending: p.pending },
        ...raw,
        RequestId,
      };
      return done ? json(200, body, ctx.req.requestId) : json(202, body, ctx.req.requestId, { 'retry-after': String(ctx.retryAfterSeconds) });
    },
  },
  {
    method: 'POST',
    path: '/v1/deployments/{kind}/{id}/retry',
    doc: {
      operationId: 'retryDeployment',
      summary: 'Retry the failed instances of a deployment record',
      description:
        'DeployCertificateRecordRetry / UpdateCertificateRecordRetry / UploadUpdateCertificateRecordRetry. Body (optional): {"DeployRecordDetailId": n} retries one instance only. 202 with Location of the record and Retry-After.',
      tags: ['Deployments'],
      actions: Object.values(RETRY_ACTION),
      pathParams: [KIND_PARAM, RECORD_PARAM],
      requestBody: {
        source: { action: 'DeployCertificateRecordRetry', part: 'request', omit: ['DeployRecordId'] },
        required: false,
        description: 'Optional: DeployRecordDetailId.',
      },
      responses: { '202': { description: 'The retry was started.', body: { component: 'DeploymentAccepted' }, headers: ['Location', 'Retry-After'] } },
      errors: [404, 409, 413, 415],
    },
    async handle(ctx) {
      const kind = kindOf(ctx.params.kind);
      const id = pathId(ctx.params.id, 'record', 'id');
      const action = RETRY_ACTION[kind];
      const params = paramsFromBody(action, ctx.body(), { DeployRecordId: asMemberType(action, 'DeployRecordId', id) });
      const res = await ctx.upstream.call(action, params);
      const location = deploymentLocation(kind, id);
      return json(202, { ...res, DeployRecordId: Number(id), Kind: URL_KIND[kind], Location: location }, ctx.req.requestId, {
        location,
        'retry-after': String(ctx.retryAfterSeconds),
      });
    },
  },
  {
    method: 'POST',
    path: '/v1/deployments/{kind}/{id}/rollback',
    doc: {
      operationId: 'rollbackDeployment',
      summary: 'Roll a deployment record back',
      description:
        'DeployCertificateRecordRollback / UpdateCertificateRecordRollback / UploadUpdateCertificateRecordRollback. The deploy and update rollbacks create a new record (Location points at it); the upload-update rollback is reported inside the original record (Location points at that one).',
      tags: ['Deployments'],
      actions: Object.values(ROLLBACK_ACTION),
      pathParams: [KIND_PARAM, RECORD_PARAM],
      responses: { '202': { description: 'The rollback was started.', body: { component: 'DeploymentAccepted' }, headers: ['Location', 'Retry-After'] } },
      errors: [404, 409, 413, 415],
    },
    async handle(ctx) {
      const kind = kindOf(ctx.params.kind);
      const id = pathId(ctx.params.id, 'record', 'id');
      const action = ROLLBACK_ACTION[kind];
      const params = paramsFromBody(action, ctx.body(), { DeployRecordId: asMemberType(action, 'DeployRecordId', id) });
      const res = await ctx.upstream.call(action, params);
      const newId = Number(res.DeployRecordId ?? 0) > 0 ? String(res.DeployRecordId) : id;
      const location = deploymentLocation(kind, newId);
      return json(202, { ...res, DeployRecordId: Number(newId), RolledBackRecordId: Number(id), Kind: URL_KIND[kind], Location: location }, ctx.req.requestId, {
        location,
        'retry-after': String(ctx.retryAfterSeconds),
      });
    },
  },
];
