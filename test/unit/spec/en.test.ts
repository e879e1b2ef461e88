/**
 * `spec/en.json` (English descriptions and GraphQL enum names) covers the spec exactly.
 *
 * Every action, input, output, structure and member of `spec/ssl-2019-12-05.json` has an English
 * description, nothing in the file refers to something the spec does not have, no Chinese text is
 * left, and the enum table is complete and consistent enough to generate GraphQL enum types from.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spec, type MemberSpec } from '../../../src/spec';

interface EnumValueEn {
  name: string;
  description: string;
}
interface EnumEn {
  name: string | null;
  values: Record<string, EnumValueEn>;
  skip?: string;
  extra?: boolean;
  enforce?: boolean;
  description?: string;
}
interface EnglishSpec {
  actions: Record<
    string,
    { summary: string; description: string; inputs: Record<string, string>; outputs: Record<string, string> }
  >;
  structures: Record<string, { description: string; members: Record<string, string> }>;
  enums: Record<string, EnumEn>;
}

const EN_PATH = fileURLToPath(new URL('../../../spec/en.json', import.meta.url));
const text = readFileSync(EN_PATH, 'utf8');
const en = JSON.parse(text) as EnglishSpec;

const CJK = /[\u3000-\u9fff\uff00-\uffef]/;
const VALUE_NAME = /^[A-Z][A-Z0-9_]*$/;
const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;

/** Every spec member with its enum key: `Action.in.X`, `Action.out.X` or `Structure.X`. */
function specMembers(): { key: string; m: MemberSpec }[] {
  const out: { key: string; m: MemberSpec }[] = [];
  for (const a of Object.values(spec.actions)) {
    for (const m of a.inputs) out.push({ key: `${a.name}.in.${m.name}`, m });
    for (const m of a.outputs) out.push({ key: `${a.name}.out.${m.name}`, m });
  }
  for (const s of Object.values(spec.structures)) for (const m of s.members) out.push({ key: `${s.name}.${m.name}`, m });
  return out;
}
const members = specMembers();
const memberByKey = new Map(members.map(({ key, m }) => [key, m]));

function expectText(value: unknown, where: string): void {
  expect(typeof value, where).toBe('string');
  expect((value as string).trim().length, `${where} is empty`).toBeGreaterThan(0);
  expect(CJK.test(value as string), `${where} contains CJK text`).toBe(false);
}

describe('spec/en.json', () => {
  it('has exactly the top-level sections actions, structures and enums', () => {
    expect(Object.keys(en).sort()).toEqual(['actions', 'enums', 'structures']);
  });

  it('contains no CJK characters anywhere', () => {
    const hits = text.match(new RegExp(CJK.source, 'g')) ?? [];
    expect(hits.join('')).toBe('');
  });

  it('describes every action with a summary, a description, every input and every output', () => {
    expect(Object.keys(en.actions)).toEqual(Object.keys(spec.actions));
    for (const a of Object.values(spec.actions)) {
      const t = en.actions[a.name];
      expect(Object.keys(t).sort(), a.name).toEqual(['description', 'inputs', 'outputs', 'summary']);
      expectText(t.summary, `${a.name}.summary`);
      expectText(t.description, `${a.name}.description`);
      expect(Object.keys(t.inputs), `${a.name} inputs`).toEqual(a.inputs.map((m) => m.name));
      expect(Object.keys(t.outputs), `${a.name} outputs`).toEqual(a.outputs.map((m) => m.name));
      for (const m of a.inputs) expectText(t.inputs[m.name], `${a.name}.in.${m.name}`);
      for (const m of a.outputs) expectText(t.outputs[m.name], `${a.name}.out.${m.name}`);
    }
  });

  it('describes every structure and every member', () => {
    expect(Object.keys(en.structures)).toEqual(Object.keys(spec.structures));
    for (const s of Object.values(spec.structures)) {
      const t = en.structures[s.name];
      expect(Object.keys(t).sort(), s.name).toEqual(['description', 'members']);
      expectText(t.description, `${s.name}.description`);
      expect(Object.keys(t.members), `${s.name} members`).toEqual(s.members.map((m) => m.name));
      for (const m of s.members) expectText(t.members[m.name], `${s.name}.${m.name}`);
    }
  });

  it('has no RequestId (it is not part of the spec)', () => {
    for (const [name, a] of Object.entries(en.actions)) expect(a.outputs, name).not.toHaveProperty('RequestId');
  });

  it('keys every enum entry by an existing member', () => {
    const unknown = Object.keys(en.enums).filter((k) => !memberByKey.has(k));
    expect(unknown).toEqual([]);
  });

  it('has an entry for every member whose spec carries an enum, with exactly the spec values', () => {
    for (const { key, m } of members) {
      if (!m.enum) continue;
      const e = en.enums[key];
      expect(e, `missing enum entry ${key}`).toBeDefined();
      expect(e.extra, `${key} is in the spec, not extra`).toBeUndefined();
      if (e.skip !== undefined) {
        expectText(e.skip, `${key}.skip`);
        expect(e.name, key).toBeNull();
        expect(e.values, key).toEqual({});
        continue;
      }
      expect(Object.keys(e.values).sort(), key).toEqual(m.enum.map((v) => v.value).sort());
    }
  });

  it('marks entries for members without a spec enum as extra and never skips them', () => {
    for (const [key, e] of Object.entries(en.enums)) {
      if (memberByKey.get(key)?.enum) continue;
      expect(e.extra, `${key} has no spec enum and must be marked extra`).toBe(true);
      expect(e.skip, key).toBeUndefined();
      expect(Object.keys(e.values).length, key).toBeGreaterThan(0);
    }
  });

  it('covers the documented status codes the extractor missed', () => {
    for (const key of [
      'DescribeCertificateBindResourceTaskDetail.out.Status',
      'SyncTaskBindResourceResult.Status',
      'DeleteTaskResult.Status',
      'DeployRecord.Status',
      'DeployRecordInfo.Status',
      'DeployCertificateInstance.out.DeployStatus',
      'UpdateCertificateInstance.out.DeployStatus',
      'UpdateSyncProgress.Status',
      'UpdateSyncProgressRegion.Status',
    ]) {
      expect(en.enums[key]?.extra, key).toBe(true);
    }
    expect(Object.keys(en.enums['SyncTaskBindResourceResult.Status'].values)).toEqual(['0', '1', '2']);
  });

  it('uses valid, unique and consistent GraphQL names', () => {
    const byType = new Map<string, { rawToName: Map<string, string>; nameToRaw: Map<string, string> }>();
    for (const [key, e] of Object.entries(en.enums)) {
      if (e.skip !== undefined) continue;
      expect(e.name, key).toMatch(TYPE_NAME);
      const type = e.name as string;
      let maps = byType.get(type);
      if (!maps) byType.set(type, (maps = { rawToName: new Map(), nameToRaw: new Map() }));
      const seen = new Set<string>();
      for (const [raw, v] of Object.entries(e.values)) {
        expect(v.name, `${key}[${raw}]`).toMatch(VALUE_NAME);
        expect(['true', 'false', 'null'], `${key}[${raw}]`).not.toContain(v.name);
        expectText(v.description, `${key}[${raw}].description`);
        expect(seen.has(v.name), `${key}: duplicate value name ${v.name}`).toBe(false);
        seen.add(v.name);
        const known = maps.rawToName.get(raw);
        expect(known ?? v.name, `${type}: ${raw} named differently in ${key}`).toBe(v.name);
        const knownRaw = maps.nameToRaw.get(v.name);
        expect(knownRaw ?? raw, `${type}: ${v.name} used for two raw values (in ${key})`).toBe(raw);
        maps.rawToName.set(raw, v.name);
        maps.nameToRaw.set(v.name, raw);
      }
    }
  });

  it('enforces only resource-type lists, each exactly the names the spec description of its member lists', () => {
    const enforced = Object.entries(en.enums).filter(([, e]) => e.enforce);
    expect(enforced.map(([k]) => k).sort()).toEqual([
      'DeployCertificateInstance.in.ResourceType',
      'DescribeCertificateBindResourceTaskDetail.in.ResourceTypes',
      'DescribeDeployedResources.in.ResourceType',
      'DescribeHostCosInstanceList.in.ResourceType',
      'DescribeHostDdosInstanceList.in.ResourceType',
      'DescribeHostDeployRecord.in.ResourceType',
      'ResourceTypeRegions.ResourceType',
      'UpdateCertificateInstance.in.ResourceTypes',
      'UploadUpdateCertificateInstance.in.ResourceTypes',
    ]);
    for (const [key, e] of enforced) {
      expect(e.extra, key).toBe(true);
      // The descriptions are Chinese prose around the lower-case names ("- clb- cdn", "clb、cdn", "clb,cdn").
      const documented = new Set(memberByKey.get(key)!.description.match(/[a-z]+/g));
      expect(Object.keys(e.values).sort(), key).toEqual([...documented].sort());
    }
  });

  it('reads the per-instance deployment statuses with the documented UpdateRecordDetail.Status codes', () => {
    for (const key of ['DeployRecordDetail.Status', 'DeployRecordItem.Status']) {
      expect(en.enums[key], key).toMatchObject({ name: 'DeploymentStatus', extra: true });
      expect(en.enums[key].values, key).toEqual(en.enums['UpdateRecordDetail.Status'].values);
    }
    expect(Object.keys(en.enums['UpdateRecordDetail.Status'].values)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
  });

  it('uses one enum type for the certificate status wherever it appears', () => {
    for (const key of [
      'DescribeCertificates.in.CertificateStatus',
      'Certificates.Status',
      'DescribeCertificate.out.Status',
      'DescribeCertificateDetail.out.Status',
      'CertificateOrderSubmit.out.Status',
      'CommitCertificateInformation.out.Status',
    ]) {
      expect(en.enums[key]?.name, key).toBe('CertificateStatus');
    }
    expect(en.enums['Certificates.Status'].values['0'].name).toBe('PENDING_REVIEW');
  });
});
