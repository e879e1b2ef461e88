/**
 * The common flows with the typed operations of `operations/` (the playground's example tabs).
 * Generated types: `npm run examples:check`, or `npx graphql-codegen --config codegen.ts` here.
 */
import type { GatewayClient } from './client';
import {
  BindResourceTaskDocument,
  CertificateDashboardDocument,
  DeleteCertificateDocument,
  DeleteTaskStatusDocument,
  DeployCertificateDocument,
  type CertificateDashboardQuery,
} from './generated/graphql';

export interface DashboardRow {
  certificateId: string;
  domain: string;
  /** ISO 8601 with offset, or null when the upstream did not say. */
  expires: string | null;
  status: string;
}

/** The certificates that expire soonest. */
export async function certificateDashboard(client: GatewayClient, limit = 10): Promise<{ total: number; rows: DashboardRow[] }> {
  const data: CertificateDashboardQuery = await client.request(CertificateDashboardDocument, { limit });
  const page = data.certificates;
  return {
    total: page?.totalCount ?? 0,
    rows: (page?.certificates ?? []).map((c) => ({
      certificateId: c.certificateId,
      domain: c.domain ?? '',
      expires: c.certEndTime ?? null,
      status: c.status ?? 'UNKNOWN',
    })),
  };
}

/**
 * Deploys a certificate to CLB listeners and waits (up to 20 s) for the result. The same
 * idempotency key on a retry (say, after a timeout) never deploys twice.
 */
export async function deployAndWait(client: GatewayClient, certificateId: string, instanceIdList: string[], idempotencyKey: string = crypto.randomUUID()) {
  const { deployCertificate: outcome } = await client.request(DeployCertificateDocument, { certificateId, instanceIdList, idempotencyKey });
  if (!outcome) throw new Error('deployCertificate answered null');
  // Null when the request's deadline left no time to read the state (the record id is still
  // there: poll deploymentRecord(id) later).
  const finished = outcome.record.awaitCompletion;
  return {
    recordId: outcome.record.id,
    alreadyRunning: outcome.__typename === 'DeploymentAlreadyRunning',
    state: finished?.state ?? null,
    done: finished?.done ?? false,
    failed: finished?.progress?.failed ?? null,
    /** True when the wait got less time than asked (see `cappedBy`): poll deploymentRecord later. */
    capped: finished?.wait?.capped ?? false,
  };
}

/** Which cloud resources use these certificates, per resource type and region. */
export async function boundResources(client: GatewayClient, certificateIds: string[]) {
  const { createCertificateBindResourceTask: tasks } = await client.request(BindResourceTaskDocument, { certificateIds });
  return (tasks ?? []).map((task) => {
    // Null when the request's deadline left no time to read the state: the task id stays.
    const latest = task.awaitCompletion;
    return {
      taskId: task.id,
      certificateId: task.certificateId ?? null,
      done: latest?.done ?? false,
      error: latest?.error ? `${latest.error.code}: ${latest.error.message}` : null,
      totals: (latest?.result ?? []).map((r) => ({
        resourceType: r.resourceType,
        count: (r.bindResourceRegionResult ?? []).reduce((sum, region) => sum + (region.totalCount ?? 0), 0),
      })),
    };
  });
}

/**
 * Deletes a certificate once no resource uses it, polling the deletion task until it is done
 * (each poll waits up to 10 s on the gateway; at most `maxPolls` polls).
 */
export async function deleteWithPolling(client: GatewayClient, certificateId: string, maxPolls = 6) {
  const { deleteCertificates: outcome } = await client.request(DeleteCertificateDocument, { certificateId, idempotencyKey: crypto.randomUUID() });
  if (!outcome) throw new Error('deleteCertificates answered null');
  if ((outcome.succeeded ?? []).includes(certificateId)) return { deleted: true, taskId: null };
  const failure = (outcome.failed ?? []).find((f) => f.certId === certificateId);
  if (failure) return { deleted: false, taskId: null, reason: failure.msg };
  const task = (outcome.tasks ?? [])[0];
  if (!task) throw new Error('no deletion task was started');
  for (let poll = 0; poll < maxPolls; poll++) {
    const { deleteTask } = await client.request(DeleteTaskStatusDocument, { taskId: task.id });
    if (!deleteTask) throw new Error(`delete task ${task.id} not found`);
    const latest = deleteTask.awaitCompletion;
    if (latest?.done) return { deleted: latest.state === 'SUCCEEDED', taskId: task.id, reason: latest.error ?? undefined };
  }
  return { deleted: false, taskId: task.id, reason: 'still running: poll deleteTask(id:) later' };
}
