/**
 * Per-request DataLoaders: every lookup by id goes through one of these, so a query that touches N
 * certificates, tasks or resources makes ⌈N / batch⌉ upstream calls instead of N.
 *
 * Batch sizes are the documented caps from the spec (DescribeCertificates Limit ≤ 1000, TaskIds
 * ≤ 100, DescribeDeployedResources CertificateIds ≤ 50). Single-id actions (certificate detail,
 * domain verification) get a loader too: it cannot batch, but it deduplicates.
 *
 * Two flavours: `loaders` cache for the life of the request (navigation); `pollers` never cache
 * (each poll must see fresh state) and dispatch on `setImmediate`, so the polls of several tasks
 * that wake up in the same timer phase share one upstream call.
 */
import DataLoader from 'dataloader';
import { ErrorCode } from '../errors';
import { getAction } from '../spec';
import { GatewayError, isGatewayError, isUpstreamError } from '../upstream/errors';
import { markOrigin } from './contract';

import type { Json, UpstreamCaller } from '../upstream/caller';

export type { Json, UpstreamCaller };

/** The documented cap of an array input or page size, from the spec. */
export function documentedMax(action: string, member: string): number {
  const max = getAction(action)?.inputs.find((m) => m.name === member)?.max;
  if (!max) throw new Error(`spec documents no cap for ${action}.${member}`);
  return max;
}

export const CERTIFICATE_BATCH = documentedMax('DescribeCertificates', 'Limit');
export const TASK_BATCH = Math.min(
  documentedMax('DescribeCertificateBindResourceTaskResult', 'TaskIds'),
  documentedMax('DescribeDeleteCertificatesTaskResult', 'TaskIds'),
);
export const DEPLOYED_RESOURCES_BATCH = documentedMax('DescribeDeployedResources', 'CertificateIds');

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function asList(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/**
 * Runs a batched lookup; when the upstream refuses the whole batch because of one bad id (a
 * client error), falls back to one call per id so that only the bad id fails.
 */
async function isolating<K, V>(keys: readonly K[], batch: (keys: readonly K[]) => Promise<(V | Error)[]>): Promise<(V | Error)[]> {
  try {
    return await batch(keys);
  } catch (err) {
    const clientError = isGatewayError(err) && err.httpStatus >= 400 && err.httpStatus < 500 && err.code !== ErrorCode.RATE_LIMITED;
    if (!clientError || keys.length === 1) throw err;
    return Promise.all(keys.map((k) => batch([k]).then((r) => r[0], (e: unknown) => (e instanceof Error ? e : new Error(String(e))))));
  }
}

/** The one "not found" of every task and record kind: NOT_FOUND naming the id. */
export function notFound(kind: string, id: string, upstream?: { upstreamCode: string; requestId?: string }): GatewayError {
  const details: Record<string, unknown> = { id };
  if (upstream) Object.assign(details, { upstreamCode: upstream.upstreamCode, upstreamRequestId: upstream.requestId ?? null });
  return new GatewayError(ErrorCode.NOT_FOUND, `${kind} ${id} was not found`, { details });
}

/**
 * Upstream codes that, for a lookup of one task id, mean the id is unknown: the bind-task lookup
 * refuses a batch with an unknown id as a whole (BAD_REQUEST in the error table, right for a
 * malformed batch); once isolated to one id, it says that this id does not exist.
 */
const UNKNOWN_TASK_CODES = new Set(['FailedOperation.CertificateSyncTaskIdInvalid']);

export interface LoaderSet {
  certificate: DataLoader<string, Json | null>;
  certificateDetail: DataLoader<string, Json>;
  domainVerification: DataLoader<string, Json[] | null>;
  deployedResources: DataLoader<string, Json | null>;
  bindTask: DataLoader<string, Json>;
  deleteTask: DataLoader<string, Json>;
  operateLogs: DataLoader<string, Json[]>;
}

export interface RequestLoaders {
  loaders: LoaderSet;
  /** Non-caching loaders for polling (fresh state every time). */
  pollers: Pick<LoaderSet, 'certificate' | 'bindTask' | 'deleteTask'>;
}

export function createLoaders(upstream: UpstreamCaller, signal?: AbortSignal): RequestLoaders {
  const call = (action: string, params: Json) => upstream.call(action, params, { signal });
  // Polls must see the upstream's state, not the gateway's read cache (still coalesced and paced).
  const pollCall = (action: string, params: Json) => upstream.call(action, params, { signal, cache: 'no-cache' });

  const certificateBatchWith = (call: (action: string, params: Json) => Promise<Json>) => async (ids: readonly string[]): Promise<(Json | null)[]> => {
    const unique = [...new Set(ids)];
    const found = new Map<string, Json>();
    for (const part of chunk(unique, CERTIFICATE_BATCH)) {
      const res = await call('DescribeCertificates', { CertIds: part, Limit: part.length, Offset: 0 });
      markOrigin(res.Certificates, { action: 'DescribeCertificates', requestId: typeof res.RequestId === 'string' ? res.RequestId : undefined });
      for (const c of asList(res.Certificates)) found.set(String(c.CertificateId), c);
    }
    return ids.map((id) => found.get(id) ?? null);
  };

  const certificateBatch = certificateBatchWith(call);

  const taskBatch = (action: string, listKey: string, kind: string, call: (action: string, params: Json) => Promise<Json>) => async (ids: readonly string[]): Promise<(Json | Error)[]> => {
    const results = await isolating(ids, async (keys) => {
      const unique = [...new Set(keys)];
      const found = new Map<string, Json>();
      for (const part of chunk(unique, TASK_BATCH)) {
        const res = await call(action, { TaskIds: part });
        markOrigin(res[listKey], { action, requestId: typeof res.RequestId === 'string' ? res.RequestId : undefined });
        for (const t of asList(res[listKey])) found.set(String(t.TaskId), t);
      }
      return keys.map((id) => found.get(id) ?? notFound(kind, id));
    }).catch((e: unknown) => {
      // A batch of one that the upstream refuses as an unknown id.
      if (ids.length === 1 && isUpstreamError(e) && UNKNOWN_TASK_CODES.has(e.upstreamCode)) return [notFound(kind, ids[0], e)];
      throw e;
    });
    return results.map((r, i) => (isUpstreamError(r) && UNKNOWN_TASK_CODES.has(r.upstreamCode) ? notFound(kind, ids[i], r) : r));
  };

  const bindTaskBatch = (c: typeof call) => taskBatch('DescribeCertificateBindResourceTaskResult', 'SyncTaskBindResourceResult', 'bind-resource task', c);
  const deleteTaskBatch = (c: typeof call) => taskBatch('DescribeDeleteCertificatesTaskResult', 'DeleteTaskResult', 'delete task', c);

  const polling = { cache: false, batchScheduleFn: (cb: () => void) => setImmediate(cb) } as const;

  const loaders: LoaderSet = {
    certificate: new DataLoader(certificateBatch, { maxBatchSize: CERTIFICATE_BATCH }),
    certificateDetail: new DataLoader((ids) =>
      Promise.all(ids.map((id) => call('DescribeCertificateDetail', { CertificateId: id }).catch((e: Error) => e))),
    ),
    domainVerification: new DataLoader((ids) =>
      Promise.all(
        ids.map((id) =>
          call('CheckCertificateDomainVerification', { CertificateId: id }).then(
            (r) => (r.VerificationResults === null || r.VerificationResults === undefined ? null : asList(r.VerificationResults)),
            (e: Error) => e,
          ),
        ),
      ),
    ),
    // Key: "<resourceType>|<certificateId>".
    deployedResources: new DataLoader(async (keys) => {
      const byType = new Map<string, string[]>();
      for (const k of keys) {
        const [type, id] = splitKey(k);
        const ids = byType.get(type) ?? [];
        if (!ids.includes(id)) ids.push(id);
        byType.set(type, ids);
      }
      const found = new Map<string, Json>();
      const failed = new Map<string, Error>();
      await Promise.all(
        [...byType].flatMap(([type, ids]) =>
          chunk(ids, DEPLOYED_RESOURCES_BATCH).map(async (part) => {
            try {
              const res = await call('DescribeDeployedResources', { CertificateIds: part, ResourceType: type });
              for (const r of asList(res.DeployedResources)) found.set(`${type}|${String(r.CertificateId)}`, r);
            } catch (e) {
              for (const id of part) failed.set(`${type}|${id}`, e as Error);
            }
          }),
        ),
      );
      return keys.map((k) => failed.get(k) ?? found.get(k) ?? null);
    }),
    bindTask: new DataLoader(bindTaskBatch(call), { maxBatchSize: TASK_BATCH }),
    deleteTask: new DataLoader(deleteTaskBatch(call), { maxBatchSize: TASK_BATCH }),
    // Key: "<startTime>|<endTime>" in upstream form ("" when absent).
    operateLogs: new DataLoader((keys) =>
      Promise.all(
        keys.map(async (k) => {
          const [start, end] = splitKey(k);
          const params: Json = { Offset: 0, Limit: documentedMax('DescribeCertificateOperateLogs', 'Limit') };
          if (start) params.StartTime = start;
          if (end) params.EndTime = end;
          try {
            return asList((await call('DescribeCertificateOperateLogs', params)).OperateLogs);
          } catch (e) {
            return e as Error;
          }
        }),
      ),
    ),
  };

  const pollers = {
    certificate: new DataLoader(certificateBatchWith(pollCall), { ...polling, maxBatchSize: CERTIFICATE_BATCH }),
    bindTask: new DataLoader(bindTaskBatch(pollCall), { ...polling, maxBatchSize: TASK_BATCH }),
    deleteTask: new DataLoader(deleteTaskBatch(pollCall), { ...polling, maxBatchSize: TASK_BATCH }),
  };
  return { loaders, pollers };
}

export function splitKey(key: string): [string, string] {
  const i = key.indexOf('|');
  return [key.slice(0, i), key.slice(i + 1)];
}
