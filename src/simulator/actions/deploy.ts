/**
 * Deployments to cloud resources and their records:
 * - DeployCertificateInstance → DescribeHostDeployRecord(Detail), DeployCertificateRecordRetry/Rollback
 * - UpdateCertificateInstance (new certificate replaces an old one everywhere) →
 *   DescribeHostUpdateRecord(Detail), UpdateCertificateRecordRetry/Rollback
 * - UploadUpdateCertificateInstance (new content, same certificate id) →
 *   DescribeHostUploadUpdateRecord(Detail), UploadUpdateCertificateRecordRetry/Rollback
 *
 * Only one deployment per certificate and resource type runs at a time: a second request returns
 * the running record with DeployStatus 0. The two Update actions first answer DeployRecordId 0
 * ("still being created, call again") for `durations.updateCreate` ms, then the id of the record.
 */
import { newUploaded, parseUpload } from '../certs';
import { fail } from '../errors';
import {
  REGIONAL_TYPES,
  isResourceType,
  type CertMaterialSnapshot,
  type CertRecord,
  type DeployDetail,
  type DeployKind,
  type DeployRecordEntity,
  type HostInstance,
  type PendingUpdate,
  type ResourceType,
  type SimState,
  applyMaterial,
} from '../state';
import { formatTime } from '../time';
import { coversDomain, recordDetailCommon } from '../views';
import { detailWindow, page, toInt, type Handler, type Params } from './common';

// ---- shared -----------------------------------------------------------------------------------

// Segments of an InstanceIdList entry per resource type, as DeployCertificateInstance documents
// them. cdn is `Domain|计费开关` (on/off): a bare domain is not the documented format.
const FORMAT_SEGMENTS: Record<string, number[]> = {
  clb: [2, 3],
  cdn: [2],
  ddos: [3],
  live: [1],
  vod: [1],
  waf: [1],
  apigateway: [2],
  teo: [1],
  tke: [3],
  cos: [3],
  lighthouse: [3],
  tse: [2],
  tcb: [4],
};

function findInstance(state: SimState, type: ResourceType, entry: string): HostInstance | undefined {
  const segments = entry.split('|');
  return state.instancesOfType(type).find((i) => {
    if (i.deployId === entry) return true;
    if (type === 'cdn') return i.deployId === segments[0];
    if (type === 'tse') return i.gatewayId === segments[0];
    return false;
  });
}

/**
 * Why a CLB entry names no instance when its load balancer and listener exist: the documented
 * format depends on the listener's SNI switch (domain for SNI on, listener only for SNI off).
 */
function clbHint(state: SimState, entry: string): string {
  const [lb, listener, domain] = entry.split('|');
  const onListener = state.instancesOfType('clb').filter((i) => i.instanceId === lb && i.listenerId === listener);
  if (!onListener.length) return '';
  if (onListener[0].sniSwitch === 1 && domain === undefined) return ` Listener ${listener} has SNI on: name a domain, as ${lb}|${listener}|Domain.`;
  if (onListener[0].sniSwitch !== 1 && domain !== undefined) return ` Listener ${listener} has SNI off: name the listener only, as ${lb}|${listener}.`;
  return '';
}

function requireRecord(state: SimState, id: unknown, kind: DeployKind): DeployRecordEntity {
  const n = typeof id === 'string' ? (/^\d+$/.test(id.trim()) ? Number(id.trim()) : NaN) : Number(id);
  if (!Number.isInteger(n)) fail('FailedOperation.InvalidParam', 'DeployRecordId must be a numeric record id.');
  const record = state.deployRecords.get(n);
  if (!record || record.kind !== kind) {
    // The upload-update actions do not document CertificateDeployNotExist; they answer
    // InvalidParam for an unknown record, which the others use too for malformed ids.
    const code = kind === 'uploadUpdate' ? 'FailedOperation.InvalidParam' : 'FailedOperation.CertificateDeployNotExist';
    fail(code, `The deploy record \`${id}\` does not exist.`);
  }
  return record;
}

function runningFor(state: SimState, kind: DeployKind, certKey: (r: DeployRecordEntity) => string, key: string, types: string[]): DeployRecordEntity | undefined {
  return [...state.deployRecords.values()].find(
    (r) => r.kind === kind && certKey(r) === key && state.isRunning(r) && r.resourceTypes.some((t) => types.includes(t)),
  );
}

/** Reschedules the failed details of a record (or one detail). */
function retry(state: SimState, kind: DeployKind, p: Params): void {
  if (p.DeployRecordId === undefined && p.DeployRecordDetailId === undefined) {
    fail('FailedOperation.InvalidParam', 'Either DeployRecordId or DeployRecordDetailId is required.');
  }
  let record: DeployRecordEntity;
  let details: DeployDetail[];
  if (p.DeployRecordDetailId !== undefined) {
    const found = [...state.deployRecords.values()]
      .filter((r) => r.kind === kind)
      .flatMap((r) => r.details.map((d) => ({ r, d })))
      .find(({ d }) => d.id === p.DeployRecordDetailId);
    if (!found) fail('FailedOperation.CertificateDeployNotExist', `The deploy record detail \`${p.DeployRecordDetailId}\` does not exist.`);
    if (p.DeployRecordId !== undefined && found.r.id !== p.DeployRecordId) {
      fail('FailedOperation.InvalidParam', 'DeployRecordDetailId does not belong to DeployRecordId.');
    }
    record = found.r;
    details = [found.d];
  } else {
    record = requireRecord(state, p.DeployRecordId, kind);
    details = record.details;
  }
  if (state.isRunning(record)) fail('FailedOperation.CertificateDeployHasPendingRecord', 'The deployment is still running.');
  const failed = details.filter((d) => d.status === 2);
  if (!failed.length) fail('FailedOperation.CertificateDeployRetryStatusInvalid', 'There is no failed deployment to retry.');
  const now = state.now();
  const step = state.durations.deployStep;
  failed.forEach((d, i) => {
    d.status = 0;
    d.errorMsg = '';
    d.updatedAt = now;
    d.startAt = now + Math.floor((i * step) / 2);
    d.doneAt = d.startAt + step;
  });
  record.updatedAt = now;
}

/** Creates a rollback record for the successful details of `record`. */
function rollback(state: SimState, record: DeployRecordEntity): DeployRecordEntity {
  if (state.isRunning(record)) fail('FailedOperation.CertificateDeployHasPendingRecord', 'The deployment is still running.');
  if (record.type === 1) fail('FailedOperation.CertificateDeployRollbackStatusInvalid', 'A rollback record cannot be rolled back.');
  const ok = record.details.filter((d) => d.status === 1);
  if (!ok.length) fail('FailedOperation.CertificateDeployRollbackStatusInvalid', 'There is no successful deployment to roll back.');
  const pendingRollback = [...state.deployRecords.values()].find((r) => r.rollbackOf === record.id && state.isRunning(r));
  if (pendingRollback) fail('FailedOperation.CertificateDeployHasPendingRecord', 'A rollback of this record is still running.');
  const now = state.now();
  const rb = state.createRecord({
    kind: record.kind,
    type: 1,
    certId: record.certId,
    oldCertId: record.oldCertId,
    resourceTypes: [...record.resourceTypes],
    regions: [...record.regions],
    createdAt: now,
    rollbackOf: record.id,
  });
  const targets = ok
    .map((d) => ({ instance: state.instances.get(d.instanceKey), d }))
    .filter((x): x is { instance: HostInstance; d: DeployDetail } => !!x.instance)
    .map(({ instance, d }) => ({ instance, certId: record.kind === 'uploadUpdate' ? d.certId : d.oldCertId, oldCertId: d.certId }));
  state.scheduleDetails(rb, targets, now);
  if (record.kind === 'uploadUpdate' && record.previousMaterial) {
    const cert = state.getCertificate(record.certId);
    if (cert) applyMaterial(cert, record.previousMaterial);
  }
  return rb;
}

function counts(details: DeployDetail[]): { total: number; success: number; failed: number; running: number } {
  return {
    total: details.length,
    success: details.filter((d) => d.status === 1).length,
    failed: details.filter((d) => d.status === 2).length,
    running: details.filter((d) => d.status === 0 || d.status === 3).length,
  };
}

function byType(details: DeployDetail[]): Map<string, DeployDetail[]> {
  const out = new Map<string, DeployDetail[]>();
  for (const d of details) out.set(d.resourceType, [...(out.get(d.resourceType) ?? []), d]);
  return out;
}

// ---- DeployCertificateInstance ----------------------------------------------------------------

const DeployCertificateInstance: Handler = ({ state, params: p }) => {
  const cert = state.requireCertificate(p.CertificateId);
  if (cert.status !== 1) fail('FailedOperation.CertificateNotAvailable', `The certificate status (${cert.status}) does not allow deployment.`);
  if (cert.certificateType !== 'SVR') fail('FailedOperation.CertificateHostDeployCanNotAllow', 'Only SVR certificates can be deployed.');
  const type = (p.ResourceType ?? 'clb').toLowerCase();
  if (!isResourceType(type)) fail('FailedOperation.CertificateHostResourceTypeInvalid', `Unsupported resource type \`${p.ResourceType}\`.`);
  const entries: string[] = p.InstanceIdList;
  if (!entries.length) fail('FailedOperation.InvalidParam', 'InstanceIdList must not be empty.');
  if (entries.length > 200) fail('FailedOperation.InvalidParam', 'InstanceIdList must not contain more than 200 entries.');
  const instances: HostInstance[] = [];
  for (const entry of entries) {
    const n = entry.split('|').length;
    if (!FORMAT_SEGMENTS[type].includes(n)) {
      fail('FailedOperation.CertificateDeployInstanceFormatError', `Instance \`${entry}\` does not have the format documented for ${type}.`);
    }
    if (type === 'cdn' && !['on', 'off'].includes(entry.split('|')[1])) {
      fail('FailedOperation.CertificateDeployInstanceFormatError', `Instance \`${entry}\`: the cdn format is Domain|on or Domain|off.`);
    }
    const inst = findInstance(state, type, entry);
    if (!inst) fail('FailedOperation.CertificateNotDeployInstance', `The ${type} instance \`${entry}\` does not exist.${type === 'clb' ? clbHint(state, entry) : ''}`);
    if (inst.certId === cert.id) fail('FailedOperation.CertificateNotDeployInstance', `The ${type} instance \`${entry}\` already uses this certificate.`);
    if (!inst.domains.every((d) => coversDomain(cert, d))) {
      fail('FailedOperation.CertificateNotDeployInstance', `The certificate does not match the domains of \`${entry}\`.`);
    }
    if (!instances.includes(inst)) instances.push(inst);
  }
  const running = runningFor(state, 'deploy', (r) => r.certId, cert.id, [type]);
  if (running) return { DeployRecordId: running.id, DeployStatus: 0 };
  const now = state.now();
  const record = state.createRecord({
    kind: 'deploy',
    type: 0,
    certId: cert.id,
    oldCertId: '',
    resourceTypes: [type],
    regions: [...new Set(instances.map((i) => i.region).filter(Boolean))],
    createdAt: now,
  });
  state.scheduleDetails(record, instances.map((i) => ({ instance: i, certId: cert.id, oldCertId: i.certId })), now);
  state.log(cert.id, 'deploy', `用户[uin: ${state.ownerUin}] 部署证书到${type} 证书[id: ${cert.id}]`);
  return { DeployRecordId: record.id, DeployStatus: 1 };
};

const DeployCertificateRecordRetry: Handler = ({ state, params: p }) => {
  retry(state, 'deploy', p);
  return {};
};

const DeployCertificateRecordRollback: Handler = ({ state, params: p }) => {
  if (p.DeployRecordId === undefined) fail('FailedOperation.InvalidParam', 'DeployRecordId is required.');
  const rb = rollback(state, requireRecord(state, p.DeployRecordId, 'deploy'));
  return { DeployRecordId: rb.id };
};

function deployInfoStatus(state: SimState, r: DeployRecordEntity): number {
  const s = state.recordStatus(r);
  if (s === 0 || s === 3) return 0;
  if (s === 2 || s === 5) return 2;
  return 1;
}

const DescribeHostDeployRecord: Handler = ({ state, params: p }) => {
  state.requireCertificate(p.CertificateId);
  if (p.ResourceType !== undefined && !isResourceType(String(p.ResourceType).toLowerCase())) {
    fail('FailedOperation.InvalidParam', `Unsupported resource type \`${p.ResourceType}\`.`);
  }
  const records = [...state.deployRecords.values()]
    .filter((r) => r.kind === 'deploy' && r.certId === p.CertificateId)
    .filter((r) => !p.ResourceType || r.resourceTypes.includes(String(p.ResourceType).toLowerCase() as ResourceType))
    .sort((a, b) => b.id - a.id);
  return {
    TotalCount: records.length,
    DeployRecordList: page(records, p.Offset, p.Limit, 10, 200).map((r) => ({
      Id: r.id,
      CertId: r.certId,
      ResourceType: r.resourceTypes[0] ?? '',
      Region: r.regions[0] ?? '',
      Status: deployInfoStatus(state, r),
      CreateTime: formatTime(r.createdAt),
      UpdateTime: formatTime(r.updatedAt),
    })),
  };
};

const DescribeHostDeployRecordDetail: Handler = ({ state, params: p }) => {
  const record = requireRecord(state, p.DeployRecordId, 'deploy');
  const c = counts(record.details);
  return {
    TotalCount: c.total,
    DeployRecordDetailList: page(record.details, p.Offset, p.Limit, 10, 200).map((d) => ({
      ...recordDetailCommon(d),
      CertId: d.certId,
      EnvId: d.instance.envId ?? '',
      TCBType: d.instance.tcbType ?? '',
      Url: d.instance.url ? [d.instance.url] : [],
    })),
    SuccessTotalCount: c.success,
    FailedTotalCount: c.failed,
    RunningTotalCount: c.running,
  };
};

// ---- UpdateCertificateInstance / UploadUpdateCertificateInstance -------------------------------

function regionsByType(p: Params): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of (p.ResourceTypesRegions ?? []) as { ResourceType?: string; Regions?: string[] }[]) {
    if (!r.ResourceType) fail('InvalidParameter.WithDetailReason', 'ResourceTypesRegions.ResourceType is required.');
    out.set(r.ResourceType.toLowerCase(), r.Regions ?? []);
  }
  return out;
}

function progress(state: SimState, pending: PendingUpdate, targets: HostInstance[]): Record<string, unknown>[] {
  const now = state.now();
  const span = Math.max(1, pending.readyAt - pending.startedAt);
  const fraction = pending.recordId !== undefined ? 1 : Math.min(1, Math.max(0, (now - pending.startedAt) / span));
  const status = fraction >= 1 ? 1 : fraction > 0 ? 3 : 0;
  return pending.resourceTypes.map((type) => {
    const mine = targets.filter((t) => t.resourceType === type);
    const regions = REGIONAL_TYPES.has(type) ? [...new Set(mine.map((t) => t.region))] : [''];
    return {
      ResourceType: type,
      Status: status,
      UpdateSyncProgressRegions: regions.map((region) => {
        const total = mine.filter((t) => !REGIONAL_TYPES.has(type) || t.region === region).length;
        return { Region: region, TotalCount: total, OffsetCount: Math.floor(total * fraction), Status: status };
      }),
    };
  });
}

/** Shared flow of the two Update actions once the new certificate is known. */
function updateFlow(
  state: SimState,
  kind: 'update' | 'uploadUpdate',
  old: CertRecord,
  newCertId: string,
  newKey: string,
  types: ResourceType[],
  regions: Map<string, string[]>,
  newMaterial?: CertMaterialSnapshot,
): Record<string, unknown> {
  const key = [kind, old.id, newKey, [...types].sort().join(','), JSON.stringify([...regions.entries()].sort())].join('|');
  const targets = state.updateTargets(old.id, types, regions);
  // The same request polling for the record it started: 0 until created, then the new record once.
  const existing = state.pendingUpdates.find((x) => x.key === key && !x.claimed);
  if (existing) {
    if (existing.recordId === undefined) return { DeployRecordId: 0, DeployStatus: 1, UpdateSyncProgress: progress(state, existing, targets) };
    existing.claimed = true;
    return { DeployRecordId: existing.recordId, DeployStatus: 1, UpdateSyncProgress: progress(state, existing, targets) };
  }
  // Another update of the same certificate and resource type is being created or running.
  const creating = state.pendingUpdates.find(
    (x) => x.kind === kind && x.oldCertId === old.id && x.recordId === undefined && x.resourceTypes.some((t) => types.includes(t)),
  );
  if (creating) return { DeployRecordId: 0, DeployStatus: 0, UpdateSyncProgress: progress(state, creating, targets) };
  const running = runningFor(state, kind, (r) => r.oldCertId, old.id, types);
  if (running) return { DeployRecordId: running.id, DeployStatus: 0, UpdateSyncProgress: null };
  if (!targets.length) fail('FailedOperation.CertificateDeployInstanceEmpty', 'No cloud resource of the given types uses the old certificate.');
  const now = state.now();
  const pending: PendingUpdate = {
    kind,
    key,
    oldCertId: old.id,
    certId: newCertId,
    resourceTypes: types,
    regionsByType: regions,
    startedAt: now,
    readyAt: now + state.durations.updateCreate,
    claimed: false,
    newMaterial,
  };
  state.pendingUpdates = state.pendingUpdates.filter((x) => !(x.claimed && x.oldCertId === old.id && x.kind === kind));
  state.pendingUpdates.push(pending);
  state.log(old.id, kind === 'update' ? 'update' : 'uploadUpdate', `用户[uin: ${state.ownerUin}] 一键更新证书 证书[id: ${old.id}] → ${newCertId}`);
  if (state.durations.updateCreate <= 0) {
    pending.recordId = state.createUpdateRecord(pending, now).id;
    pending.claimed = true;
    return { DeployRecordId: pending.recordId, DeployStatus: 1, UpdateSyncProgress: progress(state, pending, targets) };
  }
  return { DeployRecordId: 0, DeployStatus: 1, UpdateSyncProgress: progress(state, pending, targets) };
}

function parseTypes(p: Params, allowed?: string[]): ResourceType[] {
  const types: string[] = (p.ResourceTypes as string[]).map((t) => t.toLowerCase());
  if (!types.length) fail('FailedOperation.CertificateHostResourceTypeInvalid', 'ResourceTypes must not be empty.');
  for (const t of types) {
    if (!isResourceType(t) || (allowed && !allowed.includes(t))) fail('FailedOperation.CertificateHostResourceTypeInvalid', `Unsupported resource type \`${t}\`.`);
  }
  return [...new Set(types)] as ResourceType[];
}

const UpdateCertificateInstance: Handler = ({ state, params: p }) => {
  const old = state.requireCertificate(p.OldCertificateId);
  const types = parseTypes(p);
  const regions = regionsByType(p);
  let newCert: CertRecord;
  let newKey: string;
  if (p.CertificateId) {
    newCert = state.requireCertificate(p.CertificateId);
    if (newCert.status !== 1) fail('FailedOperation.CertificateNotAvailable', `The new certificate status (${newCert.status}) does not allow deployment.`);
    newKey = newCert.id;
  } else {
    if (!p.CertificatePublicKey || !p.CertificatePrivateKey) {
      fail('FailedOperation.InvalidParam', 'Either CertificateId or both CertificatePublicKey and CertificatePrivateKey are required.');
    }
    const material = parseUpload(p.CertificatePublicKey, p.CertificatePrivateKey, 'SVR');
    newKey = `fp:${material.fingerprint}`;
    const pending = state.pendingUpdates.find((x) => !x.claimed && x.oldCertId === old.id && x.key.includes(`|${newKey}|`));
    const existing = [...state.certificates.values()].find((c) => state.fingerprintOf(c) === material.fingerprint);
    if (pending && existing) newCert = existing;
    else if (existing && p.Repeatable === false) fail('FailedOperation.CertificateExists', `The same certificate already exists (${existing.id}).`);
    else if (existing && existing.from === 'upload') newCert = existing;
    else {
      if (material.notAfter <= state.now()) fail('FailedOperation.CertificateInvalid', 'The new certificate has expired.');
      newCert = newUploaded(state, material, {
        allowDownload: p.AllowDownload ?? true,
        projectId: p.ProjectId ?? 0,
        tags: (p.Tags ?? []).map((t: { TagKey?: string; TagValue?: string }) => ({ TagKey: t.TagKey ?? '', TagValue: t.TagValue ?? '' })),
      });
      state.log(newCert.id, 'upload', `用户[uin: ${state.ownerUin}] 上传证书 证书[id: ${newCert.id}]`);
    }
  }
  if (newCert.id === old.id) fail('FailedOperation.InvalidParam', 'The new certificate must differ from the old certificate.');
  if (p.ExpiringNotificationSwitch === 1) old.ignoreExpiringNotice = true;
  return updateFlow(state, 'update', old, newCert.id, newKey, types, regions);
};

const UpdateCertificateRecordRetry: Handler = ({ state, params: p }) => {
  retry(state, 'update', p);
  return {};
};

const UpdateCertificateRecordRollback: Handler = ({ state, params: p }) => {
  if (p.DeployRecordId === undefined) fail('FailedOperation.InvalidParam', 'DeployRecordId is required.');
  const rb = rollback(state, requireRecord(state, p.DeployRecordId, 'update'));
  return { DeployRecordId: rb.id };
};

const DescribeHostUpdateRecord: Handler = ({ state, params: p }) => {
  const records = [...state.deployRecords.values()]
    .filter((r) => r.kind === 'update')
    .filter((r) => !p.CertificateId || r.certId === p.CertificateId)
    .filter((r) => !p.OldCertificateId || r.oldCertId === p.OldCertificateId)
    .sort((a, b) => b.id - a.id);
  return {
    TotalCount: records.length,
    DeployRecordList: page(records, p.Offset, p.Limit, 10, 200).map((r) => ({
      Id: r.id,
      CertId: r.certId,
      OldCertId: r.oldCertId,
      ResourceTypes: r.resourceTypes,
      Regions: r.regions,
      Status: state.recordStatus(r),
      CreateTime: formatTime(r.createdAt),
      UpdateTime: formatTime(r.updatedAt),
    })),
  };
};

const DescribeHostUpdateRecordDetail: Handler = ({ state, params: p }) => {
  const record = requireRecord(state, p.DeployRecordId, 'update');
  const { offset, limit } = detailWindow(p, 10, 200);
  const c = counts(record.details);
  return {
    TotalCount: c.total,
    RecordDetailList: [...byType(record.details).entries()].map(([type, details]) => ({
      ResourceType: type,
      TotalCount: details.length,
      List: details.slice(offset, offset + limit).map((d) => {
        const common = recordDetailCommon(d);
        return {
          Id: common.Id,
          CertId: d.certId,
          OldCertId: d.oldCertId,
          Domains: common.Domains,
          ResourceType: d.resourceType,
          Region: common.Region,
          Status: d.status,
          ErrorMsg: common.ErrorMsg,
          CreateTime: common.CreateTime,
          UpdateTime: common.UpdateTime,
          InstanceId: common.InstanceId,
          InstanceName: common.InstanceName,
          ListenerId: common.ListenerId,
          ListenerName: common.ListenerName,
          Protocol: common.Protocol,
          SniSwitch: common.SniSwitch,
          Bucket: common.Bucket,
          Port: common.Port,
          Namespace: common.Namespace,
          SecretName: common.SecretName,
          EnvId: d.instance.envId ?? '',
          TCBType: d.instance.tcbType ?? '',
          Url: d.instance.url ?? '',
        };
      }),
    })),
    SuccessTotalCount: c.success,
    FailedTotalCount: c.failed,
    RunningTotalCount: c.running,
  };
};

const UploadUpdateCertificateInstance: Handler = ({ state, params: p }) => {
  const old = state.requireCertificate(p.OldCertificateId);
  const types = parseTypes(p, ['clb']);
  const regions = regionsByType(p);
  const material = parseUpload(p.CertificatePublicKey, p.CertificatePrivateKey, 'SVR');
  if (material.notAfter <= state.now()) fail('FailedOperation.CertificateInvalid', 'The new certificate has expired.');
  if (material.commonName.toLowerCase() !== old.domain.toLowerCase()) {
    fail('FailedOperation.CertificateMatchError', `The new certificate (${material.commonName}) does not match the domain of ${old.id} (${old.domain}).`);
  }
  const snapshot: CertMaterialSnapshot = {
    uploadedPublicKey: material.publicKey,
    uploadedPrivateKey: material.privateKey,
    fingerprint: material.fingerprint,
    domain: material.commonName,
    altNames: material.altNames,
    certBegin: material.notBefore,
    certEnd: material.notAfter,
  };
  return updateFlow(state, 'uploadUpdate', old, old.id, `fp:${material.fingerprint}`, types, regions, snapshot);
};

const UploadUpdateCertificateRecordRetry: Handler = ({ state, params: p }) => {
  retry(state, 'uploadUpdate', p);
  return {};
};

const UploadUpdateCertificateRecordRollback: Handler = ({ state, params: p }) => {
  rollback(state, requireRecord(state, p.DeployRecordId, 'uploadUpdate'));
  return {};
};

const DescribeHostUploadUpdateRecord: Handler = ({ state, params: p }) => {
  const records = [...state.deployRecords.values()]
    .filter((r) => r.kind === 'uploadUpdate' && r.type === 0)
    .filter((r) => !p.OldCertificateId || r.oldCertId === p.OldCertificateId)
    .sort((a, b) => b.id - a.id);
  return {
    TotalCount: records.length,
    DeployRecordList: page(records, p.Offset, p.Limit, 10, 200).map((r) => ({
      Id: r.id,
      OldCertId: r.oldCertId,
      ResourceTypes: r.resourceTypes,
      Status: state.recordStatus(r),
      CreateTime: formatTime(r.createdAt),
      UpdateTime: formatTime(r.updatedAt),
    })),
  };
};

const DescribeHostUploadUpdateRecordDetail: Handler = ({ state, params: p }) => {
  const record = requireRecord(state, p.DeployRecordId, 'uploadUpdate');
  const { offset, limit } = detailWindow(p, 10, 200);
  const all = [record, ...[...state.deployRecords.values()].filter((r) => r.rollbackOf === record.id).sort((a, b) => a.id - b.id)];
  return {
    DeployRecordDetail: all.map((r) => {
      const c = counts(r.details);
      return {
        TotalCount: c.total,
        SuccessTotalCount: c.success,
        FailedTotalCount: c.failed,
        RunningTotalCount: c.running,
        Type: r.type,
        Status: state.recordStatus(r),
        CreateTime: formatTime(r.createdAt),
        RecordDetailList: [...byType(r.details).entries()].map(([type, details]) => ({
          ResourceType: type,
          TotalCount: details.length,
          List: details.slice(offset, offset + limit).map((d) => {
            const common = recordDetailCommon(d);
            return {
              Id: common.Id,
              OldCertId: common.OldCertId,
              InstanceId: common.InstanceId,
              InstanceName: common.InstanceName,
              ListenerId: common.ListenerId,
              Domains: common.Domains,
              Protocol: common.Protocol,
              Status: d.status,
              ErrorMsg: common.ErrorMsg,
              CreateTime: common.CreateTime,
              UpdateTime: common.UpdateTime,
              ListenerName: common.ListenerName,
              SniSwitch: common.SniSwitch,
              Bucket: common.Bucket,
              Namespace: common.Namespace,
              SecretName: common.SecretName,
              Port: common.Port,
              Region: common.Region,
              Forward: d.instance.forward ?? 0,
              SSLMode: d.instance.sslMode ?? 'UNIDIRECTIONAL',
              ResourceType: d.resourceType,
            };
          }),
        })),
      };
    }),
  };
};

export const deployHandlers: Record<string, Handler> = {
  DeployCertificateInstance,
  DeployCertificateRecordRetry,
  DeployCertificateRecordRollback,
  DescribeHostDeployRecord,
  DescribeHostDeployRecordDetail,
  UpdateCertificateInstance,
  UpdateCertificateRecordRetry,
  UpdateCertificateRecordRollback,
  DescribeHostUpdateRecord,
  DescribeHostUpdateRecordDetail,
  UploadUpdateCertificateInstance,
  UploadUpdateCertificateRecordRetry,
  UploadUpdateCertificateRecordRollback,
  DescribeHostUploadUpdateRecord,
  DescribeHostUploadUpdateRecordDetail,
};

