/**
 * Certificate resource routes: list, detail, upload, delete (optionally as an async delete task),
 * download URL, and a batch delete. Bodies and queries are the documented parameters of the
 * action behind each route, validated by the same spec-driven validator as the action route.
 */
import { ErrorCode } from '../../errors';
import type { Json } from '../../upstream/caller';
import { RestError, notFound } from '../errors';
import { json, pathId, queryBoolean } from '../http';
import { paramsFromBody, paramsFromQuery, queryParamsFor, validateParams, type QueryParam } from '../params';
import type { QueryDoc, Route } from '../router';
import { memberQueryDocs } from './query-docs';

export const CERTIFICATE_ID_PARAM = { name: 'id', kind: 'certificate', description: 'Certificate id (CertificateId), e.g. "hehj1jsj".' } as const;

let listQuery: QueryParam[] | undefined;
/** `GET /v1/certificates` query: every scalar input of DescribeCertificates in lowerCamel, `status` for CertificateStatus. */
function certificateListQuery(): QueryParam[] {
  listQuery ??= queryParamsFor('DescribeCertificates', { aliases: { status: 'CertificateStatus' } });
  return listQuery;
}

let downloadQuery: QueryParam[] | undefined;
function downloadUrlQuery(): QueryParam[] {
  downloadQuery ??= queryParamsFor('DescribeDownloadCertificateUrl', { exclude: ['CertificateId'] });
  return downloadQuery;
}

const CHECK_RESOURCES_DOC: QueryDoc = {
  name: 'checkResources',
  schema: { type: 'boolean', default: false },
  description:
    'true: check for bound cloud resources first (DeleteCertificate IsCheckResource=true). The deletion then runs as a delete task: 202 with Location /v1/delete-tasks/{taskId}.',
};

export function deleteTaskLocation(taskId: string): string {
  return `/v1/delete-tasks/${encodeURIComponent(taskId)}`;
}

export const certificateRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/certificates',
    doc: {
      operationId: 'listCertificates',
      summary: 'List certificates',
      description:
        'DescribeCertificates. Query parameters are its documented inputs in lowerCamelCase (offset, limit ≤ 1000, searchKey, certificateType, expirationSort, …); `status` (or certificateStatus) and certIds take comma-separated lists. Filtering by Tags needs POST /v1/actions/DescribeCertificates.',
      tags: ['Certificates'],
      actions: ['DescribeCertificates'],
      query: () => memberQueryDocs('DescribeCertificates', certificateListQuery()),
      responses: { '200': { description: 'A page of certificates.', body: { action: 'DescribeCertificates', part: 'response' } } },
    },
    async handle(ctx) {
      const params = paramsFromQuery(ctx.req, 'DescribeCertificates', certificateListQuery());
      return json(200, await ctx.upstream.call('DescribeCertificates', params), ctx.req.requestId);
    },
  },
  {
    method: 'POST',
    path: '/v1/certificates',
    doc: {
      operationId: 'uploadCertificate',
      summary: 'Upload a certificate',
      description:
        'UploadCertificate. 201 with Location /v1/certificates/{CertificateId}. When Repeatable is false and the same certificate already exists, the answer is 200 with RepeatCertId and Location pointing at the existing certificate.',
      tags: ['Certificates'],
      actions: ['UploadCertificate'],
      requestBody: { source: { action: 'UploadCertificate', part: 'request' }, required: true, description: 'The documented UploadCertificate parameters.' },
      responses: {
        '201': { description: 'Uploaded.', body: { action: 'UploadCertificate', part: 'response' }, headers: ['Location'] },
        '200': { description: 'The same certificate already exists (RepeatCertId).', body: { action: 'UploadCertificate', part: 'response' }, headers: ['Location'] },
      },
      errors: [409, 413, 415],
    },
    async handle(ctx) {
      const params = paramsFromBody('UploadCertificate', ctx.body(), {});
      const res = await ctx.upstream.call('UploadCertificate', params);
      const repeat = typeof res.RepeatCertId === 'string' && res.RepeatCertId !== '' ? res.RepeatCertId : undefined;
      const id = repeat ?? String(res.CertificateId ?? '');
      const headers: Record<string, string> = id ? { location: certificateLocation(id) } : {};
      return json(repeat ? 200 : 201, res, ctx.req.requestId, headers);
    },
  },
  {
    method: 'GET',
    path: '/v1/certificates/{id}',
    doc: {
      operationId: 'getCertificate',
      summary: 'Get a certificate',
      description: 'DescribeCertificateDetail. 404 when the certificate does not exist.',
      tags: ['Certificates'],
      actions: ['DescribeCertificateDetail'],
      pathParams: [CERTIFICATE_ID_PARAM],
      responses: { '200': { description: 'The certificate detail.', body: { action: 'DescribeCertificateDetail', part: 'response' } } },
      errors: [404],
    },
    async handle(ctx) {
      const id = pathId(ctx.params.id, 'certificate', 'id');
      const res = await ctx.upstream.call('DescribeCertificateDetail', validateParams('DescribeCertificateDetail', { CertificateId: id }));
      // An answer without the certificate (no id) means the same as FailedOperation.CertificateNotFound.
      if (res.CertificateId === null || res.CertificateId === undefined || res.CertificateId === '') {
        throw notFound(`Certificate ${id} was not found`, { id });
      }
      return json(200, res, ctx.req.requestId);
    },
  },
  {
    method: 'DELETE',
    path: '/v1/certificates/{id}',
    doc: {
      operationId: 'deleteCertificate',
      summary: 'Delete a certificate',
      description:
        'DeleteCertificate. Without checkResources the certificate is deleted at once (200 with DeleteResult). With checkResources=true the upstream checks bound resources in a delete task: 202 with Location /v1/delete-tasks/{taskId} and Retry-After.',
      tags: ['Certificates'],
      actions: ['DeleteCertificate'],
      pathParams: [CERTIFICATE_ID_PARAM],
      query: () => [CHECK_RESOURCES_DOC],
      responses: {
        '200': { description: 'Deleted.', body: { action: 'DeleteCertificate', part: 'response' } },
        '202': { description: 'A delete task was started.', body: { component: 'DeleteCertificateAccepted' }, headers: ['Location', 'Retry-After'] },
      },
      errors: [404, 409],
    },
    async handle(ctx) {
      const id = pathId(ctx.params.id, 'certificate', 'id');
      rejectUnknownQuery(ctx.req.query, ['checkResources']);
      const check = queryBoolean(ctx.req, 'checkResources') ?? false;
      const params: Json = { CertificateId: id };
      if (check) params.IsCheckResource = true;
      const res = await ctx.upstream.call('DeleteCertificate', validateParams('DeleteCertificate', params));
      const taskId = typeof res.TaskId === 'string' && res.TaskId !== '' ? res.TaskId : undefined;
      if (check && taskId) {
        const location = deleteTaskLocation(taskId);
        return json(202, { ...res, Location: location }, ctx.req.requestId, { location, 'retry-after': String(ctx.retryAfterSeconds) });
      }
      return json(200, res, ctx.req.requestId);
    },
  },
  {
    method: 'GET',
    path: '/v1/certificates/{id}/download-url',
    doc: {
      operationId: 'getCertificateDownloadUrl',
      summary: 'Get a download URL for a certificate',
      description: 'DescribeDownloadCertificateUrl. Query serviceType picks the server flavour of the archive (nginx, apache, tomcat, iis, jks, other, root).',
      tags: ['Certificates'],
      actions: ['DescribeDownloadCertificateUrl'],
      pathParams: [CERTIFICATE_ID_PARAM],
      query: () => memberQueryDocs('DescribeDownloadCertificateUrl', downloadUrlQuery()),
      responses: { '200': { description: 'The download URL.', body: { action: 'DescribeDownloadCertificateUrl', part: 'response' } } },
      errors: [404, 409],
    },
    async handle(ctx) {
      const id = pathId(ctx.params.id, 'certificate', 'id');
      const params = paramsFromQuery(ctx.req, 'DescribeDownloadCertificateUrl', downloadUrlQuery(), { CertificateId: id });
      return json(200, await ctx.upstream.call('DescribeDownloadCertificateUrl', params), ctx.req.requestId);
    },
  },
  {
    method: 'POST',
    path: '/v1/certificates:batch-delete',
    doc: {
      operationId: 'batchDeleteCertificates',
      summary: 'Delete several certificates',
      description:
        'DeleteCertificates (CertificateIds ≤ 100). With IsSync=true the upstream checks bound resources in delete tasks: 202 with Location (one task: /v1/delete-tasks/{taskId}; several: /v1/delete-tasks?ids=…) and Retry-After; each entry of CertTaskIds carries its own Location. Otherwise 200 with Success and Fail.',
      tags: ['Certificates'],
      actions: ['DeleteCertificates'],
      requestBody: { source: { action: 'DeleteCertificates', part: 'request' }, required: true, description: 'The documented DeleteCertificates parameters.' },
      responses: {
        '200': { description: 'Deleted (or refused per certificate in Fail).', body: { action: 'DeleteCertificates', part: 'response' } },
        '202': { description: 'Delete tasks were started.', body: { component: 'DeleteCertificatesAccepted' }, headers: ['Location', 'Retry-After'] },
      },
      errors: [413, 415],
    },
    async handle(ctx) {
      const params = paramsFromBody('DeleteCertificates', ctx.body(), {});
      const res = await ctx.upstream.call('DeleteCertificates', params);
      const tasks = Array.isArray(res.CertTaskIds) ? (res.CertTaskIds as Json[]) : [];
      if (params.IsSync === true && tasks.length > 0) {
        const ids = tasks.map((t) => String(t.TaskId));
        const location = ids.length === 1 ? deleteTaskLocation(ids[0]) : `/v1/delete-tasks?ids=${ids.map(encodeURIComponent).join(',')}`;
        const body = { ...res, CertTaskIds: tasks.map((t) => ({ ...t, Location: deleteTaskLocation(String(t.TaskId)) })), Location: location };
        return json(202, body, ctx.req.requestId, { location, 'retry-after': String(ctx.retryAfterSeconds) });
      }
      return json(200, res, ctx.req.requestId);
    },
  },
];

export function certificateLocation(id: string): string {
  return `/v1/certificates/${encodeURIComponent(id)}`;
}

/** For routes with a fixed query vocabulary: unknown names are a client mistake worth reporting. */
export function rejectUnknownQuery(query: Record<string, string | undefined>, known: readonly string[]): void {
  const unknown = Object.keys(query).filter((k) => query[k] !== undefined && !known.includes(k));
  if (unknown.length) {
    throw new RestError(ErrorCode.BAD_REQUEST, `Unknown query parameter ${unknown[0]}${known.length ? ` (known: ${known.join(', ')})` : ''}`, {
      details: { fields: unknown.map((k) => ({ path: k, reason: 'unknown', message: 'unknown query parameter' })) },
    });
  }
}
