/**
 * Asynchronous tasks: bind-resource queries and delete tasks.
 *
 * Creating a task answers 202 + `Location` (the task's status URL) + `Retry-After`. The status
 * URL answers 202 + `Retry-After` while the task runs and 200 once it is final (succeeded or
 * failed); the body is the documented task record plus `State` (RUNNING | SUCCEEDED | FAILED)
 * and `Done`, with the meanings of `src/tasks/states.ts`.
 */
import { ErrorCode } from '../../errors';
import type { GatewayResponse } from '../../http/types';
import type { Json } from '../../upstream/caller';
import { deleteTaskState, isFinalState, taskState, type TaskState } from '../../tasks/states';
import { isUpstreamError } from '../../upstream/errors';
import { RestError, badRequest, notFound } from '../errors';
import { json, pathId, ID_PATTERNS } from '../http';
import { paramsFromBody, paramsFromQuery, queryParamsFor, validateParams, type QueryParam } from '../params';
import type { Route, RouteContext } from '../router';
import { CERTIFICATE_ID_PARAM, deleteTaskLocation, rejectUnknownQuery } from './certificates';
import { memberQueryDocs } from './query-docs';

const TASK_ID_PARAM = { name: 'id', kind: 'task', description: 'Task id (TaskId).' } as const;

export function bindTaskLocation(taskId: string): string {
  return `/v1/bind-resource-tasks/${encodeURIComponent(taskId)}`;
}

/** 200 for a final task, 202 + Retry-After while it runs. */
function taskResponse(ctx: RouteContext, record: Json, state: TaskState | null, requestId: unknown): GatewayResponse {
  const done = isFinalState(state);
  const body = { ...record, State: state, Done: done, RequestId: requestId };
  return done ? json(200, body, ctx.req.requestId) : json(202, body, ctx.req.requestId, { 'retry-after': String(ctx.retryAfterSeconds) });
}

/**
 * A task id the upstream does not know is a 404 on a status URL. The bind-task lookup refuses
 * unknown ids with FailedOperation.CertificateSyncTaskIdInvalid (400 in the error table, right for
 * a batch of ids in a body); here the id names the resource of the URL, so it is "not found".
 */
async function lookupOrNotFound<T>(kind: string, id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isUpstreamError(e) && e.upstreamCode === 'FailedOperation.CertificateSyncTaskIdInvalid') {
      throw notFound(`${kind} ${id} was not found`, { id, upstreamCode: e.upstreamCode, upstreamRequestId: e.requestId ?? null });
    }
    throw e;
  }
}

let detailQuery: QueryParam[] | undefined;
function bindDetailQuery(): QueryParam[] {
  detailQuery ??= queryParamsFor('DescribeCertificateBindResourceTaskDetail', { exclude: ['TaskId'] });
  return detailQuery;
}

export const taskRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/certificates/{id}/bind-resource-tasks',
    doc: {
      operationId: 'createBindResourceTask',
      summary: 'Start a bind-resource query for a certificate',
      description:
        'CreateCertificateBindResourceSyncTask for this certificate: finds the cloud resources the certificate is bound to. 202 with Location /v1/bind-resource-tasks/{taskId} and Retry-After. Body (optional): {"IsCache": 1} reuses a result from the last 30 minutes (default), 0 forces a fresh query.',
      tags: ['Bind-resource tasks'],
      actions: ['CreateCertificateBindResourceSyncTask'],
      pathParams: [CERTIFICATE_ID_PARAM],
      requestBody: {
        source: { action: 'CreateCertificateBindResourceSyncTask', part: 'request', omit: ['CertificateIds'] },
        required: false,
        description: 'Optional: IsCache (default 1).',
      },
      responses: { '202': { description: 'The task was started.', body: { component: 'TaskAccepted' }, headers: ['Location', 'Retry-After'] } },
      errors: [404, 409, 413, 415],
    },
    async handle(ctx) {
      const certId = pathId(ctx.params.id, 'certificate', 'id');
      const body = (ctx.body() ?? {}) as Json;
      const withDefault = typeof body === 'object' && body !== null && !Array.isArray(body) && (body.IsCache === undefined || body.IsCache === null) ? { ...body, IsCache: 1 } : body;
      const params = paramsFromBody('CreateCertificateBindResourceSyncTask', withDefault, { CertificateIds: [certId] });
      const res = await ctx.upstream.call('CreateCertificateBindResourceSyncTask', params);
      const task = ((res.CertTaskIds as Json[] | null) ?? []).find((t) => String(t.CertId) === certId) ?? ((res.CertTaskIds as Json[] | null) ?? [])[0];
      if (!task || task.TaskId === undefined || task.TaskId === null || task.TaskId === '') {
        throw new RestError(ErrorCode.UPSTREAM_INTERNAL, 'CreateCertificateBindResourceSyncTask returned no task id', { details: { requestId: res.RequestId ?? null } });
      }
      const taskId = String(task.TaskId);
      const location = bindTaskLocation(taskId);
      return json(202, { TaskId: taskId, CertificateId: certId, Location: location, RequestId: res.RequestId }, ctx.req.requestId, {
        location,
        'retry-after': String(ctx.retryAfterSeconds),
      });
    },
  },
  {
    method: 'GET',
    path: '/v1/bind-resource-tasks/{id}',
    doc: {
      operationId: 'getBindResourceTask',
      summary: 'Poll a bind-resource task',
      description:
        'DescribeCertificateBindResourceTaskResult for one task: 202 with Retry-After while it runs, 200 once it is final (State SUCCEEDED or FAILED; Error tells why a task failed). 404 for an unknown task.',
      tags: ['Bind-resource tasks'],
      actions: ['DescribeCertificateBindResourceTaskResult'],
      pathParams: [TASK_ID_PARAM],
      responses: {
        '200': { description: 'The task is final.', body: { component: 'BindResourceTaskStatus' } },
        '202': { description: 'The task is still running.', body: { component: 'BindResourceTaskStatus' }, headers: ['Retry-After'] },
      },
      errors: [404],
    },
    async handle(ctx) {
      const id = pathId(ctx.params.id, 'task', 'id');
      rejectUnknownQuery(ctx.req.query, []);
      const res = await lookupOrNotFound('Bind-resource task', id, () =>
        ctx.upstream.call('DescribeCertificateBindResourceTaskResult', validateParams('DescribeCertificateBindResourceTaskResult', { TaskIds: [id] })),
      );
      const record = ((res.SyncTaskBindResourceResult as Json[] | null) ?? []).find((t) => String(t.TaskId) === id);
      if (!record) throw notFound(`Bind-resource task ${id} was not found`, { id });
      return taskResponse(ctx, record, taskState(record.Status), res.RequestId);
    },
  },
  {
    method: 'GET',
    path: '/v1/bind-resource-tasks/{id}/detail',
    doc: {
      operationId: 'getBindResourceTaskDetail',
      summary: 'Resources found by a bind-resource task',
      description:
        'DescribeCertificateBindResourceTaskDetail: the bound instances per resource type. Query: limit (≤ 100), offset, resourceTypes and regions (comma-separated). Before the task is done the lists are empty (Status 0).',
      tags: ['Bind-resource tasks'],
      actions: ['DescribeCertificateBindResourceTaskDetail'],
      pathParams: [TASK_ID_PARAM],
      query: () => memberQueryDocs('DescribeCertificateBindResourceTaskDetail', bindDetailQuery()),
      responses: { '200': { description: 'The bound resources.', body: { action: 'DescribeCertificateBindResourceTaskDetail', part: 'response' } } },
      errors: [404],
    },
    async handle(ctx) {
      const id = pathId(ctx.params.id, 'task', 'id');
      // Limit/Offset are Strings upstream here; the query converts them to the documented type.
      const params = paramsFromQuery(ctx.req, 'DescribeCertificateBindResourceTaskDetail', bindDetailQuery(), { TaskId: id });
      const res = await lookupOrNotFound('Bind-resource task', id, () => ctx.upstream.call('DescribeCertificateBindResourceTaskDetail', params));
      return json(200, res, ctx.req.requestId);
    },
  },
  {
    method: 'GET',
    path: '/v1/delete-tasks/{id}',
    doc: {
      operationId: 'getDeleteTask',
      summary: 'Poll a delete task',
      description:
        'DescribeDeleteCertificatesTaskResult for one task: 202 with Retry-After while it runs, 200 once it is final. Status 1 succeeded; 2–5 failed (State FAILED; 3: no service role, 4: resources still bound, 5: resource lookup failed). 404 for an unknown task.',
      tags: ['Delete tasks'],
      actions: ['DescribeDeleteCertificatesTaskResult'],
      pathParams: [TASK_ID_PARAM],
      responses: {
        '200': { description: 'The task is final.', body: { component: 'DeleteTaskStatus' } },
        '202': { description: 'The task is still running.', body: { component: 'DeleteTaskStatus' }, headers: ['Retry-After'] },
      },
      errors: [404],
    },
    async handle(ctx) {
      const id = pathId(ctx.params.id, 'task', 'id');
      rejectUnknownQuery(ctx.req.query, []);
      const res = await ctx.upstream.call('DescribeDeleteCertificatesTaskResult', validateParams('DescribeDeleteCertificatesTaskResult', { TaskIds: [id] }));
      const record = ((res.DeleteTaskResult as Json[] | null) ?? []).find((t) => String(t.TaskId) === id);
      if (!record) throw notFound(`Delete task ${id} was not found`, { id });
      return taskResponse(ctx, record, deleteTaskState(record.Status), res.RequestId);
    },
  },
  {
    method: 'GET',
    path: '/v1/delete-tasks',
    doc: {
      operationId: 'listDeleteTasks',
      summary: 'Poll several delete tasks',
      description:
        'DescribeDeleteCertificatesTaskResult for ids=a,b,c (≤ 100; the Location of a batch delete). 202 with Retry-After while any task runs, 200 once all are final. Unknown ids are listed in NotFound.',
      tags: ['Delete tasks'],
      actions: ['DescribeDeleteCertificatesTaskResult'],
      query: () => [
        {
          name: 'ids',
          required: true,
          schema: { type: 'array', items: { type: 'string' }, maxItems: 100 },
          description: 'Task ids, comma-separated (at most 100).',
        },
      ],
      responses: {
        '200': { description: 'All tasks are final.', body: { component: 'DeleteTaskList' } },
        '202': { description: 'Some tasks are still running.', body: { component: 'DeleteTaskList' }, headers: ['Retry-After'] },
      },
    },
    async handle(ctx) {
      rejectUnknownQuery(ctx.req.query, ['ids']);
      const raw = ctx.req.query.ids;
      if (raw === undefined || raw.trim() === '') throw badRequest('Query parameter ids is required (comma-separated task ids)', { fields: [{ path: 'ids', reason: 'required', message: 'required' }] });
      const ids = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
      const badIndex = ids.findIndex((id) => !ID_PATTERNS.task.pattern.test(id));
      if (badIndex >= 0) {
        throw badRequest(`ids[${badIndex}] is not a valid task id`, { fields: [{ path: `ids[${badIndex}]`, reason: 'type', message: `expected ${ID_PATTERNS.task.description}` }] });
      }
      const params = validateParams('DescribeDeleteCertificatesTaskResult', { TaskIds: ids }, (p) => p.replace(/^TaskIds/, 'ids'));
      const res = await ctx.upstream.call('DescribeDeleteCertificatesTaskResult', params);
      const records = ((res.DeleteTaskResult as Json[] | null) ?? []).filter((t) => ids.includes(String(t.TaskId)));
      const tasks = records.map((t) => {
        const state = deleteTaskState(t.Status);
        return { ...t, State: state, Done: isFinalState(state), Location: deleteTaskLocation(String(t.TaskId)) };
      });
      const found = new Set(records.map((t) => String(t.TaskId)));
      const notFoundIds = ids.filter((id) => !found.has(id));
      const done = tasks.every((t) => t.Done);
      const body = { Tasks: tasks, NotFound: notFoundIds, Done: done, RequestId: res.RequestId };
      return done ? json(200, body, ctx.req.requestId) : json(202, body, ctx.req.requestId, { 'retry-after': String(ctx.retryAfterSeconds) });
    },
  },
];
