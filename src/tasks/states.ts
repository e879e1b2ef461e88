/**
 * What the upstream's bare status integers mean for the gateway's task objects.
 * Sources: the spec's documented meanings (bind-resource/delete task Status 0 running, 1 done,
 * 2 failed; certificate Status 0–15; deployment totals).
 */
export type TaskState = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** Bind-resource and delete task `Status`: 0 running, 1 done, 2 failed. */
export function taskState(code: unknown): TaskState | null {
  switch (Number(code)) {
    case 0:
      return 'RUNNING';
    case 1:
      return 'SUCCEEDED';
    case 2:
      return 'FAILED';
    default:
      return null;
  }
}

/**
 * Delete task `Status`: 0 running, 1 succeeded; 2 failed, 3 failed for want of the service role,
 * 4 failed because resources are still bound, 5 failed looking up bound resources. The raw code
 * stays available to tell the failures apart.
 */
export function deleteTaskState(code: unknown): TaskState | null {
  const n = Number(code);
  if (n >= 2 && n <= 5) return 'FAILED';
  return taskState(code);
}

export function isFinalState(state: TaskState | null): boolean {
  return state === 'SUCCEEDED' || state === 'FAILED';
}

/**
 * Certificate statuses after which issuance can make no more progress: 1 issued, 2 review
 * failed, 3 expired, 7 cancelled, 10 revoked, 14 refunded. Every other status is still moving.
 */
export const FINAL_CERTIFICATE_STATUSES: ReadonlySet<number> = new Set([1, 2, 3, 7, 10, 14]);
export const ISSUED_STATUS = 1;

export type DeploymentState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'PARTIALLY_FAILED';

export interface DeploymentProgress {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
  pending: number;
}

export function progressOf(totals: { total: number; succeeded: number; failed: number; running: number }): DeploymentProgress {
  const pending = Math.max(0, totals.total - totals.succeeded - totals.failed - totals.running);
  return { ...totals, pending };
}

export function deploymentState(p: DeploymentProgress): DeploymentState {
  if (p.running > 0 || p.pending > 0) return p.running === 0 && p.succeeded + p.failed === 0 ? 'PENDING' : 'RUNNING';
  if (p.total === 0) return 'PENDING';
  if (p.failed === 0) return 'SUCCEEDED';
  if (p.succeeded === 0) return 'FAILED';
  return 'PARTIALLY_FAILED';
}

export function deploymentDone(p: DeploymentProgress): boolean {
  return p.total > 0 && p.running === 0 && p.pending === 0;
}
