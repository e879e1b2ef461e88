/**
 * Asynchronous tasks: bind-resource queries and certificate deletion.
 */
import { getAction } from '../../spec/index';
import { fail } from '../errors';
import { REGIONAL_TYPES, type BindTask, type CertRecord, type HostInstance, type SimState } from '../state';
import { HOUR, formatTime } from '../time';
import { allDomains, clbDetails, flatDetail, tkeDetails } from '../views';
import { detailWindow, toInt, type Handler } from './common';

/** Resource types reported by the bind-resource task, from the TaskDetail outputs (CLB, CDN, ...). */
function bindTaskTypes(): { key: string; type: string; structure: string }[] {
  const action = getAction('DescribeCertificateBindResourceTaskDetail');
  return (action?.outputs ?? [])
    .filter((m) => m.array && m.type.endsWith('InstanceList'))
    .map((m) => ({ key: m.name, type: m.name.toLowerCase(), structure: m.type }));
}

function ensureBindTask(state: SimState, cert: CertRecord, useCache: boolean): BindTask {
  const now = state.now();
  const existing = [...state.bindTasks.values()]
    .filter((t) => t.certId === cert.id)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (existing) {
    if (existing.status === 0) return existing;
    if (useCache && existing.status === 1 && now - existing.doneAt <= state.durations.bindTaskCache) return existing;
  }
  const task: BindTask = { id: state.newBindTaskId(), certId: cert.id, createdAt: now, doneAt: now + state.durations.bindTask, status: 0 };
  state.bindTasks.set(task.id, task);
  return task;
}

const CreateCertificateBindResourceSyncTask: Handler = ({ state, params: p }) => {
  const ids: string[] = p.CertificateIds;
  if (ids.length === 0 || ids.length > 100) {
    fail('FailedOperation.CertificateSyncTaskCertificateIdCountInvalid', 'CertificateIds must contain 1 to 100 ids.');
  }
  if (p.IsCache !== 0 && p.IsCache !== 1) fail('InvalidParameterValue', 'IsCache must be 0 or 1.');
  const certs = [...new Set(ids)].map((id) => state.requireCertificate(id));
  return { CertTaskIds: certs.map((c) => ({ CertId: c.id, TaskId: ensureBindTask(state, c, p.IsCache === 1).id })) };
};

function requireTask(state: SimState, id: string): BindTask {
  const task = state.bindTasks.get(id);
  if (!task) fail('FailedOperation.CertificateSyncTaskIdInvalid', `The task \`${id}\` does not exist.`);
  return task;
}

function groupByRegion(instances: HostInstance[], type: string): Map<string, HostInstance[]> {
  const out = new Map<string, HostInstance[]>();
  for (const i of instances.filter((x) => x.resourceType === type)) {
    const r = REGIONAL_TYPES.has(type) ? i.region : '';
    out.set(r, [...(out.get(r) ?? []), i]);
  }
  return out;
}

/** How many "instances" a region reports (CLB counts load balancers, TKE clusters, ...). */
function instanceCount(type: string, list: HostInstance[]): number {
  if (type === 'clb' || type === 'tke' || type === 'tse' || type === 'tcb') return new Set(list.map((i) => i.instanceId)).size;
  return list.length;
}

const DescribeCertificateBindResourceTaskResult: Handler = ({ state, params: p }) => {
  const ids: string[] = p.TaskIds;
  if (ids.length > 100) fail('FailedOperation.CertificateSyncTaskIdInvalid', 'At most 100 task ids are allowed.');
  const types = bindTaskTypes();
  return {
    SyncTaskBindResourceResult: ids.map((id) => {
      const task = requireTask(state, id);
      const results = task.status === 1 ? (task.results ?? []) : [];
      return {
        TaskId: task.id,
        BindResourceResult:
          task.status === 1
            ? types.map(({ type }) => {
                const regions = groupByRegion(results, type);
                const entries = [...regions.entries()].map(([region, list]) => ({ Region: region, TotalCount: instanceCount(type, list), Error: '' }));
                if (!REGIONAL_TYPES.has(type) && entries.length === 0) entries.push({ Region: '', TotalCount: 0, Error: '' });
                return { ResourceType: type, BindResourceRegionResult: entries };
              })
            : [],
        Status: task.status,
        Error: task.status === 2 ? (task.error ?? { Code: 'FailedOperation', Message: 'query failed' }) : null,
        CacheTime: formatTime(task.status === 0 ? task.createdAt : task.doneAt),
      };
    }),
  };
};

function typeList(type: string, region: string, list: HostInstance[], offset: number, limit: number, state: SimState): Record<string, unknown> {
  const total = instanceCount(type, list);
  const base = REGIONAL_TYPES.has(type) ? { Region: region } : {};
  switch (type) {
    case 'clb': {
      const lbs = clbDetails(state, list);
      return { ...base, InstanceList: lbs.slice(offset, offset + limit), TotalCount: total, Error: '' };
    }
    case 'tke': {
      const clusters = tkeDetails(list);
      return { ...base, InstanceList: clusters.slice(offset, offset + limit), TotalCount: total, Error: '' };
    }
    case 'tcb': {
      const envs = new Map<string, HostInstance[]>();
      for (const i of list) envs.set(i.envId ?? i.instanceId, [...(envs.get(i.envId ?? i.instanceId) ?? []), i]);
      return {
        ...base,
        Error: '',
        Environments: [...envs.values()].slice(offset, offset + limit).map((items) => {
          const access = items.filter((i) => i.tcbType !== 'HostService');
          const host = items.filter((i) => i.tcbType === 'HostService');
          return {
            Environment: { ID: items[0].envId ?? items[0].instanceId, Source: 'tcb', Name: items[0].envName ?? items[0].instanceName, Status: 'NORMAL' },
            AccessService: {
              InstanceList: access.map((i) => ({ Domain: i.domains[0], Status: 1, UnionStatus: 1, IsPreempted: false, ICPStatus: 1, OldCertificateId: i.certId })),
              TotalCount: access.length,
            },
            HostService: {
              InstanceList: host.map((i) => ({ Domain: i.domains[0], Status: i.status ?? 'online', DNSStatus: 'online', OldCertificateId: i.certId })),
              TotalCount: host.length,
            },
          };
        }),
      };
    }
    case 'tse': {
      const gws = new Map<string, HostInstance[]>();
      for (const i of list) gws.set(i.gatewayId ?? i.instanceId, [...(gws.get(i.gatewayId ?? i.instanceId) ?? []), i]);
      return {
        ...base,
        InstanceList: [...gws.values()].slice(offset, offset + limit).map((items) => ({
          GatewayId: items[0].gatewayId ?? items[0].instanceId,
          GatewayName: items[0].gatewayName ?? items[0].instanceName,
          CertificateList: items.map((i) => ({ Id: i.deployId.split('|')[1] ?? i.certId, Name: i.instanceName, BindDomains: i.domains, CertSource: 'ssl', CertId: i.certId })),
        })),
        TotalCount: total,
        Error: null,
      };
    }
    default:
      return { ...base, InstanceList: list.slice(offset, offset + limit).map(flatDetail), TotalCount: total, Error: '' };
  }
}

const DescribeCertificateBindResourceTaskDetail: Handler = ({ state, params: p }) => {
  const task = requireTask(state, p.TaskId);
  const { offset, limit } = detailWindow(p, 10, 100);
  const types = bindTaskTypes();
  const wantedTypes: string[] | undefined = p.ResourceTypes?.length ? p.ResourceTypes.map((t: string) => t.toLowerCase()) : undefined;
  if (wantedTypes) {
    for (const t of wantedTypes) if (!types.some((x) => x.type === t)) fail('FailedOperation', `Unsupported resource type \`${t}\`.`);
  }
  const regions: string[] | undefined = p.Regions?.length ? p.Regions : undefined;
  const out: Record<string, unknown> = { Status: task.status, CacheTime: formatTime(task.status === 0 ? task.createdAt : task.doneAt) };
  for (const { key, type } of types) {
    if (task.status !== 1 || (wantedTypes && !wantedTypes.includes(type))) {
      out[key] = [];
      continue;
    }
    const grouped = groupByRegion(task.results ?? [], type);
    const lists: Record<string, unknown>[] = [];
    for (const [region, list] of grouped) {
      if (regions && REGIONAL_TYPES.has(type) && !regions.includes(region)) continue;
      lists.push(typeList(type, region, list, offset, limit, state));
    }
    out[key] = lists;
  }
  return out;
};

/** Whether a certificate may be deleted right now; returns an error code and message otherwise. */
export function deleteBlocker(state: SimState, cert: CertRecord): { code: string; message: string } | undefined {
  if (cert.status === 9 || cert.status === 11 || cert.status === 6 || cert.status === 15) {
    return { code: 'FailedOperation.InvalidCertificateStatusCode', message: '当前的证书状态不支持此操作' };
  }
  if (!cert.isPaid && cert.from !== 'upload' && (cert.status === 0 || cert.status === 4) && state.now() - cert.insertTime < HOUR) {
    return { code: 'FailedOperation.CannotBeDeletedWithinHour', message: '免费证书申请1小时内不允许删除' };
  }
  return undefined;
}

function newDeleteTask(state: SimState, cert: CertRecord): string {
  const now = state.now();
  const id = state.newDeleteTaskId();
  state.deleteTasks.set(id, { id, certId: cert.id, domains: allDomains(cert), createdAt: now, doneAt: now + state.durations.deleteTask, status: 0, error: '' });
  state.log(cert.id, 'delete', `用户[uin: ${state.ownerUin}] 创建删除任务 证书[id: ${cert.id}]`);
  return id;
}

const DeleteCertificates: Handler = ({ state, params: p }) => {
  const ids: string[] = p.CertificateIds;
  if (ids.length === 0) fail('InvalidParameter', 'CertificateIds must not be empty.');
  if (ids.length > 100) fail('FailedOperation.CertificateSyncTaskCertificateIdCountInvalid', 'At most 100 certificate ids can be deleted at once.');
  const success: string[] = [];
  const failed: { CertId: string; Msg: string }[] = [];
  const tasks: { CertId: string; TaskId: string }[] = [];
  for (const id of [...new Set(ids)]) {
    const cert = state.getCertificate(id);
    if (!cert) {
      failed.push({ CertId: id, Msg: '证书不存在' });
      continue;
    }
    if (p.IsSync === true) {
      tasks.push({ CertId: id, TaskId: newDeleteTask(state, cert) });
      continue;
    }
    const blocker = deleteBlocker(state, cert);
    if (blocker) {
      failed.push({ CertId: id, Msg: blocker.message });
      continue;
    }
    state.deleteCertificate(id);
    state.log(id, 'delete', `用户[uin: ${state.ownerUin}] 删除证书 证书[id: ${id}]`);
    success.push(id);
  }
  return { Success: success, Fail: failed, CertTaskIds: tasks };
};

const DeleteCertificate: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  const blocker = deleteBlocker(state, cert);
  if (blocker) fail(blocker.code, blocker.message);
  if (p.IsCheckResource === true) return { DeleteResult: true, TaskId: newDeleteTask(state, cert) };
  state.deleteCertificate(cert.id);
  state.log(cert.id, 'delete', `用户[uin: ${state.ownerUin}] 删除证书 证书[id: ${cert.id}]`);
  return { DeleteResult: true, TaskId: null };
};

const DescribeDeleteCertificatesTaskResult: Handler = ({ state, params: p }) => {
  const ids: string[] = p.TaskIds;
  if (ids.length > 100) fail('FailedOperation', 'At most 100 task ids are allowed.');
  return {
    DeleteTaskResult: ids
      .map((id) => state.deleteTasks.get(id))
      .filter((t): t is NonNullable<typeof t> => !!t)
      .map((t) => ({
        TaskId: t.id,
        CertId: t.certId,
        Status: t.status,
        Error: t.error,
        CacheTime: formatTime(t.status === 0 ? t.createdAt : t.doneAt),
        Domains: t.domains,
      })),
  };
};

export const taskHandlers: Record<string, Handler> = {
  CreateCertificateBindResourceSyncTask,
  DescribeCertificateBindResourceTaskResult,
  DescribeCertificateBindResourceTaskDetail,
  DeleteCertificates,
  DeleteCertificate,
  DescribeDeleteCertificatesTaskResult,
};

