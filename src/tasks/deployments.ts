/**
 * Deployment records of the three deployment operations, read the same way whatever their kind:
 * per-instance totals (progress) and pages of instance details.
 *
 *   DEPLOY         DeployCertificateInstance        → DescribeHostDeployRecordDetail
 *   UPDATE         UpdateCertificateInstance        → DescribeHostUpdateRecordDetail
 *   UPLOAD_UPDATE  UploadUpdateCertificateInstance  → DescribeHostUploadUpdateRecordDetail
 */
import type { Json, UpstreamCaller } from '../upstream/caller';
import { ErrorCode } from '../errors';
import { GatewayError, isUpstreamError } from '../upstream/errors';
import { progressOf, type DeploymentProgress } from './states';

export type DeploymentKind = 'DEPLOY' | 'UPDATE' | 'UPLOAD_UPDATE';

export const DETAIL_ACTION: Readonly<Record<DeploymentKind, string>> = {
  DEPLOY: 'DescribeHostDeployRecordDetail',
  UPDATE: 'DescribeHostUpdateRecordDetail',
  UPLOAD_UPDATE: 'DescribeHostUploadUpdateRecordDetail',
};

export const START_ACTION: Readonly<Record<DeploymentKind, string>> = {
  DEPLOY: 'DeployCertificateInstance',
  UPDATE: 'UpdateCertificateInstance',
  UPLOAD_UPDATE: 'UploadUpdateCertificateInstance',
};

export const RETRY_ACTION: Readonly<Record<DeploymentKind, string>> = {
  DEPLOY: 'DeployCertificateRecordRetry',
  UPDATE: 'UpdateCertificateRecordRetry',
  UPLOAD_UPDATE: 'UploadUpdateCertificateRecordRetry',
};

export const ROLLBACK_ACTION: Readonly<Record<DeploymentKind, string>> = {
  DEPLOY: 'DeployCertificateRecordRollback',
  UPDATE: 'UpdateCertificateRecordRollback',
  UPLOAD_UPDATE: 'UploadUpdateCertificateRecordRollback',
};

/** One page of a record's instances, normalised across the three detail actions. */
export interface DeploymentPage {
  totalCount: number;
  progress: DeploymentProgress;
  deploy?: Json[];
  update?: Json[];
  uploadUpdate?: Json[];
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0) || 0);

/**
 * Reads one page of a record. `toParams` converts `{deployRecordId, limit, offset}` to the
 * action's documented parameter types (they differ: Integer here, String there).
 */
export async function readDeploymentPage(
  upstream: UpstreamCaller,
  kind: DeploymentKind,
  toParams: (action: string, args: Json) => Json,
  id: string,
  limit: number,
  offset: number,
  signal?: AbortSignal,
  /** `no-cache` for polls: they must see the upstream's state, not the gateway's read cache. */
  cache?: 'no-cache',
): Promise<DeploymentPage> {
  const action = DETAIL_ACTION[kind];
  const res = await upstream
    .call(action, toParams(action, { deployRecordId: id, limit, offset }), cache ? { signal, cache } : { signal })
    .catch((e: unknown) => {
      // The upload-update detail documents no "record does not exist" code: it answers
      // InvalidParam for an unknown record (the id's shape was checked before the call), which
      // is the NOT_FOUND the other record kinds answer with CertificateDeployNotExist.
      if (kind === 'UPLOAD_UPDATE' && isUpstreamError(e) && e.upstreamCode === 'FailedOperation.InvalidParam') {
        throw new GatewayError(ErrorCode.NOT_FOUND, `Deployment record ${id} (${kind}) was not found`, {
          details: { id, kind, upstream: { code: e.upstreamCode, requestId: e.requestId } },
        });
      }
      throw e;
    });
  if (kind === 'UPLOAD_UPDATE') {
    // The detail lists the record followed by its rollbacks; a rollback turns the original's
    // instances into "rolled back" (neither succeeded, failed nor running), so summing every
    // entry would never finish after a rollback. The state is that of the latest entry.
    const groups = (res.DeployRecordDetail as Json[] | null) ?? [];
    const g = groups.at(-1) ?? {};
    const totals = { total: num(g.TotalCount), succeeded: num(g.SuccessTotalCount), failed: num(g.FailedTotalCount), running: num(g.RunningTotalCount) };
    return { totalCount: groups.reduce((acc, x) => acc + num(x.TotalCount), 0), progress: progressOf(totals), uploadUpdate: groups };
  }
  const totals = {
    total: num(res.TotalCount),
    succeeded: num(res.SuccessTotalCount),
    failed: num(res.FailedTotalCount),
    running: num(res.RunningTotalCount),
  };
  const page: DeploymentPage = { totalCount: totals.total, progress: progressOf(totals) };
  if (kind === 'DEPLOY') page.deploy = (res.DeployRecordDetailList as Json[] | null) ?? [];
  else page.update = (res.RecordDetailList as Json[] | null) ?? [];
  return page;
}
