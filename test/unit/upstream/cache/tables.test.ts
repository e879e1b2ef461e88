/**
 * The TTL and invalidation tables derived from the spec: every read is classified, key material
 * is never cached, finality comes from status members, every write invalidates the reads it affects.
 */
import { describe, expect, it } from 'vitest';
import { ACTION_SCOPES } from '../../../../src/auth/scopes';
import { ConfigError, loadConfig } from '../../../../src/config';
import { spec } from '../../../../src/spec';
import { ALL_TAG, buildTtlTable, isFinalAnswer, readTags, ttlClassOf, writeTags } from '../../../../src/upstream/cache';

const reads = Object.values(spec.actions).filter((a) => a.kind === 'read').map((a) => a.name);
const writes = Object.values(spec.actions).filter((a) => a.kind === 'write').map((a) => a.name);

describe('ttl table from the spec', () => {
  it('classifies every read action and no write action', () => {
    for (const r of reads) expect(ttlClassOf(r), r).toBeDefined();
    for (const w of writes) expect(ttlClassOf(w), w).toBeUndefined();
  });

  it('never caches an action whose answer the keys scope guards (same actions as the scope table)', () => {
    const guarded = [...ACTION_SCOPES.values()].filter((r) => r.kind === 'read' && r.keyOutputs.length > 0).map((r) => r.action).sort();
    const never = reads.filter((r) => ttlClassOf(r) === 'never').sort();
    expect(never).toEqual(guarded);
    expect(never).toEqual(expect.arrayContaining(['DownloadCertificate', 'DescribeDownloadCertificateUrl', 'DescribeCertificateDetail']));
    const table = buildTtlTable({ overrides: {} });
    for (const n of never) expect(table.cacheable(n)).toBe(false);
  });

  it('gives lists a few seconds, host instance lists longer, and task states short while running and long once final', () => {
    const t = buildTtlTable();
    expect(t.freshMs('DescribeCertificates', {})).toBe(5_000);
    expect(t.freshMs('DescribeHostClbInstanceList', {})).toBe(30_000);
    const running = { SyncTaskBindResourceResult: [{ TaskId: 'a', Status: 1 }, { TaskId: 'b', Status: 0 }] };
    const done = { SyncTaskBindResourceResult: [{ TaskId: 'a', Status: 1 }, { TaskId: 'b', Status: 2 }] };
    expect(t.freshMs('DescribeCertificateBindResourceTaskResult', running)).toBe(1_000);
    expect(t.freshMs('DescribeCertificateBindResourceTaskResult', done)).toBe(300_000);
    expect(t.freshMs('DescribeDeleteCertificatesTaskResult', { DeleteTaskResult: [{ Status: 4 }] })).toBe(300_000);
  });

  it('decides deploy record finality from the running count and every status in the answer', () => {
    expect(isFinalAnswer('DescribeHostDeployRecordDetail', { RunningTotalCount: 1, DeployRecordDetailList: [{ Status: 1 }] })).toBe(false);
    expect(isFinalAnswer('DescribeHostDeployRecordDetail', { RunningTotalCount: 0, DeployRecordDetailList: [{ Status: 1 }, { Status: 0 }] })).toBe(false);
    expect(isFinalAnswer('DescribeHostDeployRecordDetail', { RunningTotalCount: 0, DeployRecordDetailList: [{ Status: 1 }, { Status: 2 }] })).toBe(true);
    expect(isFinalAnswer('DescribeHostUpdateRecordDetail', { RunningTotalCount: 0, RecordDetailList: [{ List: [{ Status: 3 }] }] })).toBe(false);
    expect(isFinalAnswer('DescribeHostUploadUpdateRecordDetail', { DeployRecordDetail: [{ DeployRecordDetail: [{ Status: 4 }] }] })).toBe(true);
    expect(isFinalAnswer('DescribeHostDeployRecordDetail', { RunningTotalCount: 0, DeployRecordDetailList: [] })).toBe(false);
  });

  it('CACHE_TTL_SECONDS=0 turns every class off; an override turns one action back on', () => {
    const off = buildTtlTable({ defaultSeconds: 0 });
    for (const r of reads) expect(off.cacheable(r), r).toBe(false);
    const one = buildTtlTable({ defaultSeconds: 0, overrides: { DescribeCertificates: 7 } });
    expect(one.cacheable('DescribeCertificates')).toBe(true);
    expect(one.freshMs('DescribeCertificates', {})).toBe(7_000);
    expect(one.cacheable('DescribeManagers')).toBe(false);
    expect(buildTtlTable({ overrides: { DescribeManagers: 0 } }).cacheable('DescribeManagers')).toBe(false);
  });

  it('config: CACHE_TTL_OVERRIDES refuses unknown actions, writes and key-material reads with a typed error naming the variable', () => {
    const bad = (v: string) => {
      try {
        loadConfig({ CACHE_TTL_OVERRIDES: v });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).problems.map((p) => `${p.variable}: ${p.problem}`).join('; ');
      }
      return 'accepted';
    };
    expect(bad('DescribeCertificates=5')).toBe('accepted');
    expect(bad('NoSuchAction=5')).toMatch(/CACHE_TTL_OVERRIDES: unknown action NoSuchAction/);
    expect(bad('DeleteCertificate=5')).toMatch(/CACHE_TTL_OVERRIDES: DeleteCertificate is a write action/);
    expect(bad('DownloadCertificate=5')).toMatch(/CACHE_TTL_OVERRIDES: DownloadCertificate can answer private-key material/);
    expect(bad('DescribeCertificates=x')).toMatch(/CACHE_TTL_OVERRIDES: expected/);
    expect(loadConfig({ CACHE_TTL_OVERRIDES: 'DescribeCertificates=5, DescribeManagers=0' }).cache.ttlOverrides).toEqual({ DescribeCertificates: 5, DescribeManagers: 0 });
    expect(loadConfig({ CACHE_TTL_SECONDS: '0' }).cache.ttlSeconds).toBe(0);
    expect(loadConfig({}).cache.ttlSeconds).toBeUndefined();
  });
});

describe('invalidation table from the spec', () => {
  const overlap = (w: string[], r: string[]) => w.some((t) => r.includes(t));

  it('every read depends on `all`; every write bumps at least one tag', () => {
    for (const r of reads) expect(readTags(r, {}), r).toContain(ALL_TAG);
    for (const w of writes) expect(writeTags(w, {}).length, w).toBeGreaterThan(0);
  });

  it('a certificate write reaches that certificate\'s list, detail-like and deployment entries, not other certificates\' entries', () => {
    const w = writeTags('ModifyCertificateAlias', { CertificateId: 'c1', Alias: 'x' });
    expect(overlap(w, readTags('DescribeCertificates', { Limit: 10 }))).toBe(true);
    expect(overlap(w, readTags('DescribeCertificates', { CertIds: ['c1'] }))).toBe(true);
    expect(overlap(w, readTags('CheckCertificateDomainVerification', { CertificateId: 'c1' }))).toBe(true);
    expect(overlap(w, readTags('DescribeHostClbInstanceList', { CertificateId: 'c1' }))).toBe(true);
    expect(overlap(w, readTags('DescribeCertificateOperateLogs', {}))).toBe(true);
    expect(overlap(w, readTags('CheckCertificateDomainVerification', { CertificateId: 'c2' }))).toBe(false);
    expect(overlap(w, readTags('DescribeManagers', {}))).toBe(false);
  });

  it('a write naming no certificate (creation, upload) reaches every certificate entry', () => {
    const w = writeTags('UploadCertificate', { CertificatePublicKey: 'x' });
    expect(overlap(w, readTags('CheckCertificateDomainVerification', { CertificateId: 'c2' }))).toBe(true);
    expect(overlap(w, readTags('DescribeCertificates', {}))).toBe(true);
  });

  it('deployment retries and rollbacks reach their record and the record lists', () => {
    const w = writeTags('DeployCertificateRecordRollback', { DeployRecordId: 42 });
    expect(overlap(w, readTags('DescribeHostDeployRecordDetail', { DeployRecordId: '42' }))).toBe(true);
    expect(overlap(w, readTags('DescribeHostDeployRecord', { CertificateId: 'c1' }))).toBe(true);
    expect(overlap(w, readTags('DescribeHostDeployRecordDetail', { DeployRecordId: '43' }))).toBe(false);
    const start = writeTags('DeployCertificateInstance', { CertificateId: 'c1', InstanceIdList: ['i'], ResourceType: 'clb' });
    expect(overlap(start, readTags('DescribeHostDeployRecord', {}))).toBe(true);
    expect(overlap(start, readTags('DescribeDeployedResources', { CertificateIds: ['c1'], ResourceType: 'clb' }))).toBe(true);
    expect(overlap(start, readTags('DescribeHostUpdateRecordDetail', { DeployRecordId: '7' }))).toBe(true);
  });

  it('task-starting writes reach task entries; manager writes reach managers and companies', () => {
    const t = writeTags('DeleteCertificates', { CertificateIds: ['c1'], IsSync: true });
    expect(overlap(t, readTags('DescribeDeleteCertificatesTaskResult', { TaskIds: ['t1'] }))).toBe(true);
    const m = writeTags('DeleteManager', { ManagerId: 5 });
    expect(overlap(m, readTags('DescribeManagerDetail', { ManagerId: 5 }))).toBe(true);
    expect(overlap(m, readTags('DescribeManagers', {}))).toBe(true);
    expect(overlap(m, readTags('DescribeCompanies', {}))).toBe(true);
    expect(overlap(m, readTags('DescribeManagerDetail', { ManagerId: 6 }))).toBe(false);
    expect(overlap(m, readTags('DescribeCertificates', {}))).toBe(false);
  });

  it('an unknown write action invalidates everything', () => {
    expect(writeTags('NotInTheSpec', {})).toEqual([ALL_TAG]);
  });
});
