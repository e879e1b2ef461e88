/**
 * Bind-resource and delete tasks as pollable objects. A task's fields read one batched status
 * lookup per request (TaskIds ≤ 100 per call); `awaitCompletion` polls through the non-caching
 * pollers so several tasks waiting together share calls.
 */
import { ErrorCode } from '../../errors';
import { toUpstreamParams } from '../convert';
import type { GatewayContext } from '../context';
import type { Json } from '../loaders';
import type { GraphQLModel } from '../model';
import { deleteTaskState, isFinalState, taskState, type TaskState } from '../../tasks/states';
import type { WaitReport } from '../../tasks/wait';
import { boundedWait } from './certificates';
import { isGatewayError } from '../../upstream/errors';

/** Source object of BindResourceTask / DeleteTask. */
export interface TaskRef {
  id: string;
  certificateId?: string;
  snapshot?: Json;
  /** How the wait that produced this object was bounded (`wait` field). */
  wait?: WaitReport;
}

type Kind = 'bindTask' | 'deleteTask';

function taskFields(kind: Kind, stateOf: (code: unknown) => TaskState | null) {
  const load = (ref: TaskRef, ctx: GatewayContext): Promise<Json> =>
    ref.snapshot ? Promise.resolve(ref.snapshot) : ctx.loaders[kind].load(ref.id);
  return {
    id: (ref: TaskRef) => ref.id,
    certificateId: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => ref.certificateId ?? (kind === 'deleteTask' ? (await load(ref, ctx)).CertId : null),
    statusCode: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => (await load(ref, ctx)).Status,
    state: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => stateOf((await load(ref, ctx)).Status),
    done: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => isFinalState(stateOf((await load(ref, ctx)).Status)),
    error: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => (await load(ref, ctx)).Error ?? null,
    cacheTime: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => (await load(ref, ctx)).CacheTime || null,
    awaitCompletion: async (ref: TaskRef, args: { timeoutSeconds?: number }, ctx: GatewayContext): Promise<TaskRef> => {
      const { state, report } = await boundedWait(
        args,
        ctx,
        () => ctx.pollers[kind].load(ref.id),
        (t) => isFinalState(stateOf(t.Status)),
      );
      // No poll fitted in the deadline: the task id stays, with the latest state this request read.
      return { ...ref, snapshot: state ?? ref.snapshot, wait: report };
    },
    load,
  };
}

/**
 * Tasks by id, looked up at the root (one batched call): a known id gives its task, an unknown id
 * an error item (graphql-js answers it as null with one NOT_FOUND error at that index, instead of
 * one error per selected field and a null list). A failure of the lookup itself (the upstream is
 * down) fails the field once.
 */
async function lookup(kind: Kind, ids: readonly string[], ctx: GatewayContext): Promise<(TaskRef | Error)[]> {
  const results = await Promise.all(ids.map((id) => ctx.loaders[kind].load(id).then((): TaskRef => ({ id }), (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
  const failure = results.find((r) => r instanceof Error && !(isGatewayError(r) && r.code === ErrorCode.NOT_FOUND));
  if (failure) throw failure;
  return results;
}

export function taskResolvers(model: GraphQLModel) {
  const bind = taskFields('bindTask', taskState);
  const del = taskFields('deleteTask', deleteTaskState);
  const { load: loadBind, ...bindFields } = bind;
  const { load: loadDelete, ...deleteFields } = del;
  // Read from the model when first needed (the model is built lazily; see model.ts).
  const detailArgs = () => model.actions.get('DescribeCertificateBindResourceTaskDetail')!.args;

  return {
    Query: {
      bindResourceTask: (_: unknown, args: { id: string }, ctx: GatewayContext) => lookup('bindTask', [args.id], ctx).then(([t]) => t),
      bindResourceTasks: (_: unknown, args: { ids: string[] }, ctx: GatewayContext) => lookup('bindTask', args.ids, ctx),
      deleteTask: (_: unknown, args: { id: string }, ctx: GatewayContext) => lookup('deleteTask', [args.id], ctx).then(([t]) => t),
      deleteTasks: (_: unknown, args: { ids: string[] }, ctx: GatewayContext) => lookup('deleteTask', args.ids, ctx),
    },
    Mutation: {
      createCertificateBindResourceTask: async (
        _: unknown,
        args: { certificateIds: string[]; useCache?: boolean },
        ctx: GatewayContext,
      ): Promise<TaskRef[]> => {
        const res = await ctx.upstream.call(
          'CreateCertificateBindResourceSyncTask',
          { CertificateIds: args.certificateIds, IsCache: args.useCache === false ? 0 : 1 },
          { signal: ctx.signal },
        );
        return ((res.CertTaskIds as Json[] | null) ?? []).map((t) => ({ id: String(t.TaskId), certificateId: String(t.CertId) }));
      },
      deleteCertificates: async (_: unknown, args: { ids: string[]; checkBoundResources?: boolean }, ctx: GatewayContext) => {
        const res = await ctx.upstream.call(
          'DeleteCertificates',
          { CertificateIds: args.ids, IsSync: args.checkBoundResources === true },
          { signal: ctx.signal },
        );
        return {
          succeeded: (res.Success as string[] | null) ?? [],
          failed: (res.Fail as Json[] | null) ?? [],
          tasks: ((res.CertTaskIds as Json[] | null) ?? []).map((t): TaskRef => ({ id: String(t.TaskId), certificateId: String(t.CertId) })),
          requestId: res.RequestId,
        };
      },
    },
    BindResourceTask: {
      ...bindFields,
      error: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => (await loadBind(ref, ctx)).Error ?? null,
      result: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => (await loadBind(ref, ctx)).BindResourceResult ?? null,
      detail: (ref: TaskRef, args: { resourceTypes?: string[]; regions?: string[]; limit?: number; offset?: number }, ctx: GatewayContext) => {
        // Same conversion as the generic field (Limit/Offset are strings upstream here).
        const params = toUpstreamParams(detailArgs(), { ...args, taskId: ref.id }, model);
        return ctx.upstream.call('DescribeCertificateBindResourceTaskDetail', params, { signal: ctx.signal });
      },
    },
    DeleteTask: {
      ...deleteFields,
      domains: async (ref: TaskRef, _: unknown, ctx: GatewayContext) => (await loadDelete(ref, ctx)).Domains ?? null,
    },
    DeleteCertificateResponse: {
      task: (res: Json): TaskRef | null => (res.TaskId ? { id: String(res.TaskId) } : null),
    },
  };
}
