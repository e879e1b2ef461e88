/**
 * Times on the REST facade: the resource routes answer documented times in ISO 8601 with the
 * offset, exactly the members GraphQL types DateTime (one spec-derived table, src/spec/times.ts);
 * `POST /v1/actions/{Action}` passes the upstream's text through; the OpenAPI document says so.
 */
import { describe, expect, it } from 'vitest';
import { model as graphqlModel } from '../../../src/graphql/model';
import { REST_ROUTES, buildOpenApiDocument, createRestHandler } from '../../../src/rest';
import { getAction, getStructure } from '../../../src/spec';
import { fieldName } from '../../../src/spec/naming';
import { isDateTimeMember, shapeHasTimes, timeTable, timesToIso } from '../../../src/spec/times';
import { ScriptedUpstream, parse, request } from './helpers';

type Doc = Record<string, any>;
const doc: Doc = buildOpenApiDocument(REST_ROUTES);
const schemas: Record<string, Doc> = doc.components.schemas;

/** Every component a schema reaches through `$ref`, itself included. */
function reachable(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) reachable(s, out);
  else if (schema && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') {
        const name = v.replace('#/components/schemas/', '');
        if (!out.has(name) && name in schemas) {
          out.add(name);
          reachable(schemas[name], out);
        }
      } else reachable(v, out);
    }
  }
  return out;
}

function successSchemas(op: Doc): Doc[] {
  return Object.entries(op.responses as Record<string, Doc>)
    .filter(([status, r]) => status.startsWith('2') && r.content)
    .map(([, r]) => r.content['application/json'].schema);
}

const resourceRoutes = REST_ROUTES.filter((r) => (r.times ?? 'iso') === 'iso');
const routesWithTimes = resourceRoutes.filter((r) => r.doc.actions.some((a) => shapeHasTimes({ action: a })));

describe('the time members come from the spec, by the rule GraphQL uses', () => {
  it('lists exactly the members GraphQL types DateTime', () => {
    const fromGraphql = new Set<string>();
    for (const obj of graphqlModel().objects.values()) {
      for (const f of obj.fields) {
        if (f.conversion !== 'datetime') continue;
        const owner = obj.name.endsWith('Response') && getAction(obj.name.slice(0, -'Response'.length)) ? `${obj.name.slice(0, -'Response'.length)}.out` : obj.name;
        fromGraphql.add(`${owner}.${f.member}`);
      }
    }
    const fromTable = new Set([...timeTable()].flatMap(([owner, members]) => members.map((m) => `${owner}.${m}`)));
    expect([...fromTable].sort()).toEqual([...fromGraphql].sort());
    expect(fromTable).toContain('Certificates.CertEndTime');
    expect(fromTable).toContain('DescribeCertificateDetail.out.CertEndTime');
    expect(fromTable).toContain('OperationLog.CreatedOn');
  });

  it('converts nested structures and arrays, leaves unknown members alone and never modifies the answer it is given', () => {
    const answer = {
      TotalCount: 2,
      Certificates: [
        { CertificateId: 'a', CertBeginTime: '2025-01-01 00:00:00', CertEndTime: '2026-01-01 08:00:00', CAEndTimes: ['2030-01-01 00:00:00', ''], CertRevokedTime: '', InsertTime: '0000-00-00 00:00:00' },
        { CertificateId: 'b', CertEndTime: null },
      ],
      Extra: '2025-01-01 00:00:00',
    };
    const before = structuredClone(answer);
    const out = timesToIso({ action: 'DescribeCertificates' }, answer);
    expect(answer).toEqual(before);
    expect(out).toEqual({
      TotalCount: 2,
      Certificates: [
        { CertificateId: 'a', CertBeginTime: '2025-01-01T00:00:00+08:00', CertEndTime: '2026-01-01T08:00:00+08:00', CAEndTimes: ['2030-01-01T00:00:00+08:00', null], CertRevokedTime: null, InsertTime: null },
        { CertificateId: 'b', CertEndTime: null },
      ],
      Extra: '2025-01-01 00:00:00',
    });
  });
});

describe('REST answers: resource routes in ISO 8601, /v1/actions as the upstream writes it', () => {
  const answer = { TotalCount: 1, Certificates: [{ CertificateId: 'c1', CertBeginTime: '2025-12-02 07:59:59', CertEndTime: '', InsertTime: '0000-00-00 00:00:00', CAEndTimes: ['2030-01-01 00:00:00'] }] };

  it('GET /v1/certificates answers ISO 8601 with the offset, null for a time the upstream does not have', async () => {
    const upstream = new ScriptedUpstream().on('DescribeCertificates', answer);
    const res = parse(await createRestHandler({ upstream })(request('GET', '/v1/certificates?limit=1')));
    expect(res.Certificates[0]).toMatchObject({ CertBeginTime: '2025-12-02T07:59:59+08:00', CertEndTime: null, InsertTime: null, CAEndTimes: ['2030-01-01T00:00:00+08:00'] });
  });

  it('POST /v1/actions/DescribeCertificates passes the upstream text through', async () => {
    const upstream = new ScriptedUpstream().on('DescribeCertificates', answer);
    const res = parse(await createRestHandler({ upstream })(request('POST', '/v1/actions/DescribeCertificates', { body: {} })));
    expect(res.Certificates[0]).toMatchObject({ CertBeginTime: '2025-12-02 07:59:59', CertEndTime: '', InsertTime: '0000-00-00 00:00:00', CAEndTimes: ['2030-01-01 00:00:00'] });
  });

  it('task and deployment views convert the records they carry', async () => {
    const upstream = new ScriptedUpstream()
      .on('DescribeDeleteCertificatesTaskResult', { DeleteTaskResult: [{ TaskId: 't1', CertId: 'c1', Status: 1, Error: '', CacheTime: '2025-12-02 07:59:59', Domains: [] }] })
      .on('DescribeHostDeployRecordDetail', {
        DeployRecordDetailList: [{ Id: 1, CertId: 'c1', Status: 1, CreateTime: '2025-12-02 07:59:59', UpdateTime: '2025-12-02 24:00:00' }],
        TotalCount: 1,
        SuccessTotalCount: 1,
        FailedTotalCount: 0,
        RunningTotalCount: 0,
      });
    const handler = createRestHandler({ upstream });
    const task = parse(await handler(request('GET', '/v1/delete-tasks/t1')));
    expect(task).toMatchObject({ CacheTime: '2025-12-02T07:59:59+08:00', State: 'SUCCEEDED' });
    const list = parse(await handler(request('GET', '/v1/delete-tasks?ids=t1')));
    expect(list.Tasks[0].CacheTime).toBe('2025-12-02T07:59:59+08:00');
    const record = parse(await handler(request('GET', '/v1/deployments/deploy/1')));
    expect(record.DeployRecordDetailList[0]).toMatchObject({ CreateTime: '2025-12-02T07:59:59+08:00', UpdateTime: '2025-12-03T00:00:00+08:00' });
  });
});

describe('OpenAPI: time formats described', () => {
  it('marks every time member of the resource routes\' schemas date-time (nullable, ISO 8601 with offset) and keeps the upstream text on the /v1/actions schemas', () => {
    let marked = 0;
    for (const [owner, members] of timeTable()) {
      const plainName = owner.endsWith('.out') ? `${owner.slice(0, -'.out'.length)}Response` : owner;
      const plain = schemas[plainName];
      for (const m of members) {
        expect(plain.properties[m].format, `${plainName}.${m}`).toBeUndefined();
        expect(plain.properties[m].description, `${plainName}.${m}`).toContain('"YYYY-MM-DD hh:mm:ss" in China Standard Time (UTC+08:00');
      }
      const iso = schemas[`${plainName}Iso`];
      if (!iso) continue;
      for (const m of members) {
        const p = iso.properties[m];
        const scalar = p.type === 'array' ? p.items : p;
        expect(scalar, `${plainName}Iso.${m}`).toMatchObject({ type: ['string', 'null'], format: 'date-time' });
        expect(p.description, `${plainName}Iso.${m}`).toContain('ISO 8601 with the offset');
        expect(p.description, `${plainName}Iso.${m}`).not.toContain('YYYY-MM-DD hh:mm:ss');
        marked++;
      }
    }
    expect(marked).toBeGreaterThan(20);
  });

  it('gives every resource route whose actions answer times a schema with date-time members, and no /v1/actions operation one', () => {
    expect(routesWithTimes.map((r) => r.doc.operationId).sort()).toEqual(
      ['getBindResourceTask', 'getBindResourceTaskDetail', 'getCertificate', 'getDeleteTask', 'getDeployment', 'listCertificates', 'listDeleteTasks'].sort(),
    );
    for (const route of routesWithTimes) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      for (const schema of successSchemas(op)) {
        const names = [...reachable(schema)];
        expect(names.some((n) => n.endsWith('Iso')), `${route.method} ${route.path}`).toBe(true);
        // Not one upstream-text time schema on a resource route.
        for (const n of names) {
          const base = n.endsWith('Response') ? `${n.slice(0, -'Response'.length)}.out` : n;
          expect(timeTable().has(base), `${route.method} ${route.path} reaches ${n}`).toBe(false);
        }
      }
    }
    for (const [path, item] of Object.entries(doc.paths as Record<string, Doc>)) {
      if (!path.startsWith('/v1/actions/')) continue;
      for (const schema of successSchemas(item.post)) {
        const names = [...reachable(schema)];
        expect(names.filter((n) => n.endsWith('Iso')), path).toEqual([]);
        expect(JSON.stringify(names.map((n) => schemas[n])), path).not.toContain('"format":"date-time"');
      }
      expect(item.post.responses['200'].description, path).toContain('YYYY-MM-DD hh:mm:ss');
    }
    expect(doc.info.description).toContain('ISO 8601 with the offset');
    expect(doc.info.description).toContain('"YYYY-MM-DD hh:mm:ss" in China Standard Time (UTC+08:00)');
  });

  it('no resource route takes a time parameter (the document says so; a new one needs a conversion first)', () => {
    const timeInputs = (members: readonly { name: string; type: string }[], seen = new Set<string>()): string[] =>
      members.flatMap((m) => {
        if (isDateTimeMember(m as never)) return [m.name];
        const s = getStructure(m.type);
        if (!s || seen.has(m.type)) return [];
        seen.add(m.type);
        return timeInputs(s.members, seen).map((n) => `${m.name}.${n}`);
      });
    for (const route of resourceRoutes) {
      const source = route.doc.requestBody?.source;
      if (source && 'action' in source) {
        const inputs = getAction(source.action)!.inputs.filter((m) => !(source.omit ?? []).includes(m.name));
        expect(timeInputs(inputs), `${route.method} ${route.path} body`).toEqual([]);
      }
      const queryNames = new Set((route.doc.query?.() ?? []).map((q) => q.name));
      for (const action of route.doc.actions) {
        const times = getAction(action)!.inputs.filter((m) => isDateTimeMember(m)).map((m) => fieldName(m.name));
        expect(times.filter((n) => queryNames.has(n)), `${route.method} ${route.path} query`).toEqual([]);
      }
    }
    expect(doc.info.description).toContain('No resource route takes a time parameter');
  });
});
