import { describe, expect, it } from 'vitest';
import { actionNames, getAction, spec } from '../../../src/spec';
import {
  actionValidator,
  compileActionValidator,
  enforcedEnum,
  summarizeProblems,
  validateActionInput,
  type FieldProblem,
} from '../../../src/spec/validate';

function problems(action: string, input: unknown): FieldProblem[] {
  const r = validateActionInput(action, input);
  return r.ok ? [] : r.problems;
}

function paths(action: string, input: unknown): string[] {
  return problems(action, input).map((p) => `${p.path}:${p.reason}`);
}

describe('validateActionInput: the body', () => {
  it('accepts a minimal valid body and returns it unchanged', () => {
    const body = { CertificateId: 'abc123' };
    const r = validateActionInput('DescribeCertificateDetail', body);
    expect(r).toEqual({ ok: true, value: body });
  });

  it.each([
    ['an array', []],
    ['a string', 'x'],
    ['a number', 1],
    ['null', null],
    ['a boolean', true],
  ])('refuses %s as the body', (_, body) => {
    const p = problems('DescribeCertificates', body);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ path: '', reason: 'body' });
    expect(p[0].message).toContain('JSON object');
  });

  it('accepts an empty object for an action without required inputs', () => {
    expect(validateActionInput('DescribeCertificates', {}).ok).toBe(true);
    expect(validateActionInput('DescribeCompanies', {}).ok).toBe(true);
  });
});

describe('validateActionInput: members', () => {
  it('reports a missing required member with its type', () => {
    expect(problems('DescribeCertificateDetail', {})).toEqual([
      { path: 'CertificateId', reason: 'required', message: 'required member is missing (String)', expected: 'String' },
    ]);
  });

  it('treats null as absent (so a required member set to null is missing)', () => {
    expect(paths('DescribeCertificateDetail', { CertificateId: null })).toEqual(['CertificateId:required']);
    expect(validateActionInput('DescribeCertificates', { Limit: null, SearchKey: null }).ok).toBe(true);
  });

  it('reports unknown members, with a hint when only the case differs', () => {
    const p = problems('DescribeCertificateDetail', { certificateId: 'x', Foo: 1 });
    expect(p.map((x) => x.path)).toEqual(['certificateId', 'Foo', 'CertificateId']);
    expect(p[0]).toMatchObject({ reason: 'unknown', message: 'unknown member; did you mean CertificateId?' });
    expect(p[1]).toMatchObject({ reason: 'unknown', message: 'unknown member' });
  });

  it('refuses __proto__ and constructor as unknown members', () => {
    const body = JSON.parse('{"CertificateId":"a","__proto__":{"x":1},"constructor":1}');
    expect(paths('DescribeCertificateDetail', body)).toEqual(['__proto__:unknown', 'constructor:unknown']);
  });

  it.each([
    ['String gets a number', 'DescribeCertificateDetail', { CertificateId: 5 }, 'CertificateId', 'expected String, got integer'],
    ['Integer gets a string', 'DescribeCertificates', { Offset: '5' }, 'Offset', 'expected Integer, got string'],
    ['Integer gets a float', 'DescribeCertificates', { ProjectId: 1.5 }, 'ProjectId', 'expected Integer, got number'],
    ['Integer gets an unsafe integer', 'DescribeCertificates', { ProjectId: 2 ** 60 }, 'ProjectId', 'expected Integer, got integer'],
    ['Boolean gets a string', 'DeleteCertificate', { CertificateId: 'a', IsCheckResource: 'true' }, 'IsCheckResource', 'expected Boolean, got string'],
    ['Boolean gets 1', 'DeleteCertificates', { CertificateIds: ['a'], IsSync: 1 }, 'IsSync', 'expected Boolean, got integer'],
    ['array gets a string', 'DeleteCertificates', { CertificateIds: 'a' }, 'CertificateIds', 'expected Array of String, got string'],
    ['array gets an object', 'DescribeCertificates', { CertIds: { a: 1 } }, 'CertIds', 'expected Array of String, got object'],
    ['structure array gets an object', 'DescribeCertificates', { Tags: { TagKey: 'a' } }, 'Tags', 'expected Array of Tags, got object'],
  ])('type: %s', (_, action, body, path, message) => {
    const p = problems(action, body);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ path, reason: 'type', message });
  });

  it('points at the offending array item: CertificateIds[3]', () => {
    const p = problems('DeleteCertificates', { CertificateIds: ['a', 'b', 'c', 4, 'e', null] });
    expect(p.map((x) => [x.path, x.message])).toEqual([
      ['CertificateIds[3]', 'expected String, got integer'],
      ['CertificateIds[5]', 'expected String, got null'],
    ]);
  });

  it('validates nested structure members with their path', () => {
    const p = problems('DescribeCertificates', { Tags: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 1, Extra: true }, 'x'] });
    expect(p.map((x) => `${x.path}:${x.reason}`)).toEqual(['Tags[1].Extra:unknown', 'Tags[1].TagKey:type', 'Tags[2]:type']);
    expect(p[2].message).toBe('expected Tags object, got string');
  });

  it('validates required members of input structures and their arrays', () => {
    const ok = validateActionInput('UpdateCertificateInstance', {
      OldCertificateId: 'a',
      ResourceTypes: ['clb'],
      ResourceTypesRegions: [{ ResourceType: 'clb', Regions: ['ap-guangzhou'] }],
    });
    expect(ok.ok).toBe(true);
    expect(
      paths('UpdateCertificateInstance', {
        OldCertificateId: 'a',
        ResourceTypes: ['clb'],
        ResourceTypesRegions: [{ ResourceType: 'clb', Regions: 'ap-guangzhou' }, { Regions: [1] }],
      }),
    ).toEqual(['ResourceTypesRegions[0].Regions:type', 'ResourceTypesRegions[1].Regions[0]:type']);
  });

  it('takes Timestamp inputs as strings', () => {
    const withTimestamp = getAction('DescribeCertificateOperateLogs')!.inputs.filter((m) => m.type === 'Timestamp');
    expect(withTimestamp.length).toBeGreaterThan(0);
    const body = Object.fromEntries(withTimestamp.map((m) => [m.name, '2024-01-01 00:00:00']));
    expect(validateActionInput('DescribeCertificateOperateLogs', body).ok).toBe(true);
    expect(paths('DescribeCertificateOperateLogs', { [withTimestamp[0].name]: 1700000000 })).toEqual([`${withTimestamp[0].name}:type`]);
  });
});

describe('validateActionInput: documented caps', () => {
  it('refuses an array longer than the documented max (CertificateIds ≤ 100)', () => {
    const ids = Array.from({ length: 101 }, (_, i) => `c${i}`);
    const p = problems('DeleteCertificates', { CertificateIds: ids });
    expect(p).toEqual([{ path: 'CertificateIds', reason: 'maxItems', message: 'at most 100 items are allowed, got 101', max: 100 }]);
    expect(validateActionInput('DeleteCertificates', { CertificateIds: ids.slice(0, 100) }).ok).toBe(true);
  });

  it('uses the cap of DescribeDeployedResources (≤ 50)', () => {
    const ids = Array.from({ length: 51 }, (_, i) => `c${i}`);
    expect(paths('DescribeDeployedResources', { CertificateIds: ids, ResourceType: 'clb' })).toEqual(['CertificateIds:maxItems']);
  });

  it('refuses Limit above the documented max and accepts the max itself', () => {
    expect(problems('DescribeCertificates', { Limit: 1001 })).toEqual([
      { path: 'Limit', reason: 'maximum', message: 'must be <= 1000, got 1001', max: 1000 },
    ]);
    expect(validateActionInput('DescribeCertificates', { Limit: 1000 }).ok).toBe(true);
    expect(paths('DescribeHostDeployRecordDetail', { DeployRecordId: '1', Limit: 201 })).toEqual(['Limit:maximum']);
  });

  it('checks String-typed Limit/Offset as decimal strings', () => {
    const base = { TaskId: 't1' };
    expect(validateActionInput('DescribeCertificateBindResourceTaskDetail', { ...base, Limit: '100', Offset: '0' }).ok).toBe(true);
    expect(paths('DescribeCertificateBindResourceTaskDetail', { ...base, Limit: '101' })).toEqual(['Limit:maximum']);
    expect(paths('DescribeCertificateBindResourceTaskDetail', { ...base, Limit: 'ten' })).toEqual(['Limit:type']);
    expect(paths('DescribeCertificateBindResourceTaskDetail', { ...base, Offset: '-1' })).toEqual(['Offset:type']);
    expect(paths('DescribeCertificateBindResourceTaskDetail', { ...base, Limit: 10 })).toEqual(['Limit:type']);
  });

  it('refuses negative paging values', () => {
    expect(problems('DescribeCertificates', { Offset: -1, Limit: -5 }).map((p) => [p.path, p.reason, p.message])).toEqual([
      ['Offset', 'minimum', 'must be >= 0, got -1'],
      ['Limit', 'minimum', 'must be >= 0, got -5'],
    ]);
  });

  it('every documented cap is enforced', () => {
    for (const name of actionNames) {
      for (const m of getAction(name)!.inputs) {
        if (m.max === undefined) continue;
        const required = Object.fromEntries(
          getAction(name)!
            .inputs.filter((x) => x.required && x.name !== m.name)
            .map((x) => [x.name, x.array ? ['x'] : x.type === 'Integer' ? 1 : x.type === 'Boolean' ? true : 'x']),
        );
        const over = m.array
          ? Array.from({ length: m.max + 1 }, () => (m.type === 'Integer' ? 1 : 'x'))
          : m.type === 'Integer'
            ? m.max + 1
            : String(m.max + 1);
        const p = problems(name, { ...required, [m.name]: over });
        expect(p.map((x) => x.path), `${name}.${m.name}`).toContain(m.name);
      }
    }
  });
});

describe('validateActionInput: enumerations', () => {
  it('refuses a value outside a documented enum and lists the allowed values', () => {
    const p = problems('ApplyCertificate', { DvAuthMethod: 'EMAIL', DomainName: 'a.test' });
    expect(p).toEqual([{ path: 'DvAuthMethod', reason: 'enum', message: 'must be one of DNS_AUTO, DNS, FILE', allowed: ['DNS_AUTO', 'DNS', 'FILE'] }]);
  });

  it('checks integer enums and enum arrays item by item', () => {
    expect(validateActionInput('DescribeCertificates', { CertificateStatus: [0, 1, 15] }).ok).toBe(true);
    expect(paths('DescribeCertificates', { CertificateStatus: [1, 16] })).toEqual(['CertificateStatus[1]:enum']);
    expect(paths('DescribeCertificates', { ExpirationSort: 'desc' })).toEqual(['ExpirationSort:enum']);
    expect(paths('ModifyCertificatesExpiringNotificationSwitch', { CertificateIds: ['a'], SwitchStatus: 2 })).toEqual(['SwitchStatus:enum']);
  });

  it('shortens long enum lists in the message but returns all values', () => {
    const p = problems('CreateCertificate', { ProductId: 1, DomainNum: 1, TimeSpan: 1 });
    expect(p[0].reason).toBe('enum');
    expect(p[0].message).toMatch(/…$/);
    expect(p[0].allowed!.length).toBeGreaterThan(50);
  });

  it('does not enforce lists that en.json marks as not an enumeration', () => {
    // InstanceIdList's extracted "values" are resource types, not instance ids.
    expect(enforcedEnum('DeployCertificateInstance.in', getAction('DeployCertificateInstance')!.inputs.find((m) => m.name === 'InstanceIdList')!)).toBeUndefined();
    expect(validateActionInput('DeployCertificateInstance', { CertificateId: 'a', InstanceIdList: ['lb-1|lbl-1'] }).ok).toBe(true);
    expect(validateActionInput('DescribeHostClbInstanceList', { CertificateId: 'a', Filters: [{ FilterKey: 'domainMatch', FilterValue: '1' }] }).ok).toBe(true);
  });

  it('does not enforce enumerations documented only in prose (lenient)', () => {
    // DescribeManagers.Status is listed in en.json as "extra" (prose only): any string passes.
    expect(validateActionInput('DescribeManagers', { CompanyId: 1, Status: 'something-new' }).ok).toBe(true);
  });

  it('never restricts booleans by enum', () => {
    expect(validateActionInput('UploadCertificate', { CertificatePublicKey: 'x', Repeatable: false }).ok).toBe(true);
  });
});

describe('validateActionInput: problem collection', () => {
  it('collects every problem in one pass, up to maxProblems', () => {
    const body = { CertificateIds: Array.from({ length: 30 }, (_, i) => i) };
    const r = validateActionInput('DeleteCertificates', body);
    expect(r.ok).toBe(false);
    expect(r.ok ? 0 : r.problems.length).toBe(20);
    const r5 = validateActionInput('DeleteCertificates', body, { maxProblems: 5 });
    expect(r5.ok ? 0 : r5.problems.length).toBe(5);
  });

  it('summarizes problems in one line', () => {
    const p = problems('DeleteCertificates', { CertificateIds: [1, 2, 3, 4], IsSync: 'no' });
    expect(summarizeProblems(p)).toBe(
      'CertificateIds[0]: expected String, got integer; CertificateIds[1]: expected String, got integer; CertificateIds[2]: expected String, got integer (and 2 more)',
    );
  });

  it('does not modify its input', () => {
    const body = { CertificateIds: ['a'], IsSync: null };
    const copy = structuredClone(body);
    validateActionInput('DeleteCertificates', body);
    expect(body).toEqual(copy);
  });
});

describe('compiled validators', () => {
  it('caches one validator per action', () => {
    expect(actionValidator('DescribeCertificates')).toBe(actionValidator('DescribeCertificates'));
    expect(actionValidator('NoSuchAction')).toBeUndefined();
    expect(() => validateActionInput('NoSuchAction', {})).toThrow(/unknown action/);
  });

  it('compiles a validator for every action of the spec', () => {
    for (const name of actionNames) expect(typeof compileActionValidator(spec.actions[name])).toBe('function');
  });

  it('accepts the documented request examples, except where they contradict the parameter tables', () => {
    // The validator follows the parameter tables (types, documented members). The upstream's own
    // examples deviate from them in these places; listed so a change in the spec or the
    // validator shows up.
    const failures: string[] = [];
    for (const name of actionNames) {
      for (const ex of getAction(name)!.examples) {
        if (ex.input === undefined) continue;
        const r = validateActionInput(name, ex.input);
        if (!r.ok) failures.push(`${name}: ${summarizeProblems(r.problems, 5)}`);
      }
    }
    expect(failures).toEqual([
      // numbers written as strings in the examples
      'CertificateInfoSubmit: CompanyType: expected Integer, got string',
      'DescribeCertificates: Offset: expected Integer, got string; Limit: expected Integer, got string',
      'DescribeCertificates: Offset: expected Integer, got string; Limit: expected Integer, got string',
      'DescribeCertificates: Offset: expected Integer, got string; Limit: expected Integer, got string',
      // members the examples send but the parameter tables do not document
      'DescribeHostApiGatewayInstanceList: ResourceType: unknown member',
      'DescribeHostCdnInstanceList: ResourceType: unknown member',
      // the example sends "clb" to the COS list, whose table documents only "cos"
      'DescribeHostCosInstanceList: ResourceType: must be one of cos',
      'DescribeHostLighthouseInstanceList: ResourceType: unknown member',
      'DescribeHostTeoInstanceList: ResourceType: unknown member',
      'DescribeHostUploadUpdateRecordDetail: DeployRecordId: expected Integer, got string; Limit: expected Integer, got string; Offset: expected Integer, got string',
      'UpdateCertificateInstance: Regions: unknown member',
      'UploadCertificate: ProjectId: expected Integer, got string',
      'UploadCertificate: ProjectId: expected Integer, got string',
    ]);
  });
});
