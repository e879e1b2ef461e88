/**
 * Starting a deployment (deploy, update, upload-update) with the upstream's two special answers
 * handled once for every surface:
 *
 * - `DeployRecordId = 0` (documented for the two Update actions): the record is still being
 *   created and the protocol is to call again with the same arguments. The call is repeated with
 *   exponential backoff (`WaitPolicy`) until an id arrives or `maxWaitSeconds` is spent, and never
 *   past the point where the request's deadline leaves no time for another call (each re-call is
 *   a write: it needs the deadline's write reserve); then a CONFLICT GatewayError tells the client
 *   to repeat the request. Repeating is safe here: the upstream answers the same pending record
 *   for the same arguments.
 * - `DeployStatus = 0`: a deployment of the same certificate and resource type is already
 *   running and `DeployRecordId` is that record (`started: false`).
 *
 * Extracted for the REST facade from the GraphQL resolver's loop (same behaviour), so both can
 * share it.
 */
import { ErrorCode } from '../errors';
import { backoffDelay } from '../time/backoff';
import type { Json, UpstreamCaller } from '../upstream/caller';
import { GatewayError } from '../upstream/errors';
import { START_ACTION, type DeploymentKind } from './deployments';
import type { RequestDeadline } from '../http/deadline';
import { isDeadlineExceeded } from './deadline';
import type { WaitClock, WaitPolicy } from './wait';

export interface StartedDeployment {
  kind: DeploymentKind;
  /** The record to poll (the running one when `started` is false). */
  recordId: string;
  /** False when the upstream returned an already running deployment (`DeployStatus = 0`). */
  started: boolean;
  /** Upstream RequestId of the call that returned the record. */
  requestId: string;
  /** That call's full answer (`DeployRecordId`, `DeployStatus`, `UpdateSyncProgress`, …). */
  response: Json;
  /** Upstream calls made (more than 1 when the record was still being created). */
  calls: number;
}

export async function startDeployment(
  upstream: UpstreamCaller,
  kind: DeploymentKind,
  params: Json,
  wait: { policy: WaitPolicy; clock: WaitClock; deadline?: RequestDeadline },
  signal?: AbortSignal,
): Promise<StartedDeployment> {
  const action = START_ACTION[kind];
  // The last re-call must start while the request's deadline still allows a write.
  const requestEnd = wait.deadline ? wait.deadline.at - wait.deadline.writeReserveMs : Number.POSITIVE_INFINITY;
  const deadline = Math.min(wait.clock.now() + wait.policy.maxWaitSeconds * 1000, requestEnd);
  let pauses = 0;
  const stillCreating = (requestId: unknown, calls: number) =>
    new GatewayError(ErrorCode.CONFLICT, `${action}: the upstream is still creating the deployment record; call again with the same arguments`, {
      details: { action, requestId, stillCreating: true, calls, ...(deadline === requestEnd ? { cappedBy: 'DEADLINE' } : {}) },
    });
  let lastRequestId: unknown;
  for (let calls = 1; ; calls++) {
    let res: Json;
    try {
      res = await upstream.call(action, params, { signal });
    } catch (err) {
      // A re-call the deadline did not let start (or cut before it was sent): the record is still
      // being created, as before.
      if (calls > 1 && isDeadlineExceeded(err) && err.stage !== 'IN_FLIGHT') throw stillCreating(lastRequestId, calls - 1);
      throw err;
    }
    lastRequestId = res.RequestId;
    const id = Number(res.DeployRecordId ?? 0);
    if (Number.isFinite(id) && id > 0) {
      return { kind, recordId: String(id), started: Number(res.DeployStatus) !== 0, requestId: String(res.RequestId ?? ''), response: res, calls };
    }
    const remaining = deadline - wait.clock.now();
    if (remaining <= 0) throw stillCreating(res.RequestId, calls);
    try {
      await wait.clock.sleep(Math.min(backoffDelay(++pauses, wait.policy.initialDelayMs, wait.policy.maxDelayMs), remaining), signal);
    } catch (err) {
      // The deadline passed during the pause (a stalled event loop): still being created, as above.
      if (wait.deadline?.signal.aborted) throw stillCreating(res.RequestId, calls);
      throw err;
    }
  }
}
