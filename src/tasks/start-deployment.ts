/**
 * Starting a deployment (deploy, update, upload-update) with the upstream's two special answers
 * handled once for every surface:
 *
 * - `DeployRecordId = 0` (documented for the two Update actions): the record is still being
 *   created and the protocol is to call again with the same arguments. The call is repeated with
 *   exponential backoff (`WaitPolicy`) until an id arrives or `maxWaitSeconds` is spent; then a
 *   CONFLICT GatewayError tells the client to repeat the request. Repeating is safe here: the
 *   upstream answers the same pending record for the same arguments.
 * - `DeployStatus = 0`: a deployment of the same certificate and resource type is already
 *   running and `DeployRecordId` is that record (`started: false`).
 *
 * Extracted for the REST facade from the GraphQL resolver's loop (same behaviour), so both can
 * share it.
 */
import type { Json, UpstreamCaller } from '../upstream/caller';
import { GatewayError } from '../upstream/errors';
import { START_ACTION, type DeploymentKind } from './deployments';
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
  wait: { policy: WaitPolicy; clock: WaitClock },
  signal?: AbortSignal,
): Promise<StartedDeployment> {
  const action = START_ACTION[kind];
  const deadline = wait.clock.now() + wait.policy.maxWaitSeconds * 1000;
  let delay = wait.policy.initialDelayMs;
  for (let calls = 1; ; calls++) {
    const res = await upstream.call(action, params, { signal });
    const id = Number(res.DeployRecordId ?? 0);
    if (Number.isFinite(id) && id > 0) {
      return { kind, recordId: String(id), started: Number(res.DeployStatus) !== 0, requestId: String(res.RequestId ?? ''), response: res, calls };
    }
    const remaining = deadline - wait.clock.now();
    if (remaining <= 0) {
      throw new GatewayError('CONFLICT', `${action}: the upstream is still creating the deployment record; call again with the same arguments`, {
        details: { action, requestId: res.RequestId, stillCreating: true, calls },
      });
    }
    await wait.clock.sleep(Math.min(delay, remaining), signal);
    delay = Math.min(delay * 2, wait.policy.maxDelayMs);
  }
}
