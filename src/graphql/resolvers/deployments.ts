/**
 * Deployments (deploy, update, upload-update) as `DeploymentRecord` objects with progress,
 * details, a bounded wait, and retry/rollback mutations.
 *
 * Upstream protocol handled here:
 * - `DeployStatus = 0`: a deployment for the same certificate and resource type is already
 *   running; `DeployRecordId` is that running record → `DeploymentAlreadyRunning`.
 * - Update actions answering `DeployRecordId = 0`: the record is still being created and the
 *   documented protocol is to call again; the gateway does so with backoff within the wait cap
 *   and the request's deadline.
 */
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../errors';
import { toUpstreamParams } from '../convert';
import type { GatewayContext } from '../context';
import type { Json } from '../loaders';
import type { GraphQLModel } from '../model';
import {
  RETRY_ACTION,
  ROLLBACK_ACTION,
  START_ACTION,
  readDeploymentPage,
  type DeploymentKind,
  type DeploymentPage,
} from '../../tasks/deployments';
import { deploymentDone, deploymentState } from '../../tasks/states';
import { startDeployment } from '../../tasks/start-deployment';
import type { WaitReport } from '../../tasks/wait';
import { boundedWait } from './certificates';

interface RecordRef {
  id: string;
  kind: DeploymentKind;
  updateSyncProgress?: Json[] | null;
  snapshot?: DeploymentPage;
  /** How the wait that produced this object was bounded (`wait` field). */
  wait?: WaitReport;
}

export function deploymentResolvers(model: GraphQLModel) {
  const toParams = (action: string, args: Json) => toUpstreamParams(model.actions.get(action)!.args, args, model);

  const progressPage = (ref: RecordRef, ctx: GatewayContext): Promise<DeploymentPage> =>
    ref.snapshot
      ? Promise.resolve(ref.snapshot)
      : ctx.memo(`deployment|${ref.kind}|${ref.id}`, () => readDeploymentPage(ctx.upstream, ref.kind, toParams, ref.id, 1, 0, ctx.signal));

  /** Starts a deployment (the "still being created" and "already running" answers are handled in src/tasks). */
  const start = async (kind: DeploymentKind, args: Json, ctx: GatewayContext) => {
    const started = await startDeployment(ctx.upstream, kind, toParams(START_ACTION[kind], args), ctx.wait, ctx.signal);
    const record: RecordRef = { id: started.recordId, kind, updateSyncProgress: (started.response.UpdateSyncProgress as Json[] | null) ?? null };
    if (!started.started) {
      return {
        __typename: 'DeploymentAlreadyRunning',
        record,
        message: `a ${kind.toLowerCase().replace('_', '-')} deployment of this certificate is already running (record ${started.recordId})`,
        requestId: started.requestId,
      };
    }
    return { __typename: 'DeploymentStarted', record, requestId: started.requestId };
  };

  const requireRecordId = (args: Json): string => {
    const id = args.deployRecordId;
    if (id === undefined || id === null || id === '') {
      throw new GraphQLError('deployRecordId is required', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
    return String(id);
  };

  const retry = (kind: DeploymentKind) => async (_: unknown, args: Json, ctx: GatewayContext): Promise<RecordRef> => {
    const id = requireRecordId(args);
    await ctx.upstream.call(RETRY_ACTION[kind], toParams(RETRY_ACTION[kind], args), { signal: ctx.signal });
    return { id, kind };
  };

  const rollback = (kind: DeploymentKind) => async (_: unknown, args: Json, ctx: GatewayContext): Promise<RecordRef> => {
    const id = requireRecordId(args);
    const res = await ctx.upstream.call(ROLLBACK_ACTION[kind], toParams(ROLLBACK_ACTION[kind], args), { signal: ctx.signal });
    // Rollbacks that create a new record answer its id; the upload-update one answers nothing.
    return { id: res.DeployRecordId ? String(res.DeployRecordId) : id, kind };
  };

  return {
    Query: {
      deploymentRecord: (_: unknown, args: { id: string; kind: DeploymentKind }): RecordRef => ({ id: args.id, kind: args.kind }),
    },
    Mutation: {
      deployCertificate: (_: unknown, args: Json, ctx: GatewayContext) => start('DEPLOY', args, ctx),
      updateCertificateInstances: (_: unknown, args: Json, ctx: GatewayContext) => start('UPDATE', args, ctx),
      uploadUpdateCertificateInstances: (_: unknown, args: Json, ctx: GatewayContext) => start('UPLOAD_UPDATE', args, ctx),
      retryDeployRecord: retry('DEPLOY'),
      retryUpdateRecord: retry('UPDATE'),
      retryUploadUpdateRecord: retry('UPLOAD_UPDATE'),
      rollbackDeployRecord: rollback('DEPLOY'),
      rollbackUpdateRecord: rollback('UPDATE'),
      rollbackUploadUpdateRecord: rollback('UPLOAD_UPDATE'),
    },
    DeploymentOutcome: {
      __resolveType: (o: { __typename: string }) => o.__typename,
    },
    DeploymentRecord: {
      id: (ref: RecordRef) => ref.id,
      kind: (ref: RecordRef) => ref.kind,
      updateSyncProgress: (ref: RecordRef) => ref.updateSyncProgress ?? null,
      progress: async (ref: RecordRef, _: unknown, ctx: GatewayContext) => (await progressPage(ref, ctx)).progress,
      state: async (ref: RecordRef, _: unknown, ctx: GatewayContext) => deploymentState((await progressPage(ref, ctx)).progress),
      done: async (ref: RecordRef, _: unknown, ctx: GatewayContext) => deploymentDone((await progressPage(ref, ctx)).progress),
      details: (ref: RecordRef, args: { limit?: number; offset?: number }, ctx: GatewayContext) =>
        ctx.memo(`deployment-page|${ref.kind}|${ref.id}|${args.limit}|${args.offset}`, () =>
          readDeploymentPage(ctx.upstream, ref.kind, toParams, ref.id, args.limit ?? 10, args.offset ?? 0, ctx.signal),
        ),
      awaitCompletion: async (ref: RecordRef, args: { timeoutSeconds?: number }, ctx: GatewayContext): Promise<RecordRef> => {
        const { state, report } = await boundedWait(
          args,
          ctx,
          () => readDeploymentPage(ctx.upstream, ref.kind, toParams, ref.id, 1, 0, ctx.signal, 'no-cache'),
          (p) => deploymentDone(p.progress),
        );
        // No poll fitted in the deadline: the record id stays, with the latest state this request read.
        return { ...ref, snapshot: state ?? ref.snapshot, wait: report };
      },
    },
  };
}
