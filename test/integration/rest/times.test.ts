/**
 * Resource-route answers carry ISO 8601 times with the offset, end to end against the simulator.
 *
 * The routes under test are derived from the spec (a resource route whose upstream actions answer
 * documented times), so a new route with times fails here until it has a driver below. Each
 * answer is checked three ways: every documented time member (walked by the spec) is null or
 * ISO 8601 with an offset; the answer validates against the route's OpenAPI response schema with
 * ajv and ajv-formats (`format: date-time` enforced); and at least one real time was seen.
 * Then the same data through `POST /v1/actions` (the upstream's text) and GraphQL (DateTime).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REST_ROUTES, buildOpenApiDocument } from '../../../src/rest';
import type { Route } from '../../../src/rest';
import { getAction, getStructure } from '../../../src/spec';
import { isDateTimeMember, shapeHasTimes, type AnswerShape } from '../../../src/spec/times';
import { upstreamToIso } from '../../../src/time/upstream-time';
import { cert, issued, newPem } from '../../helpers/action-inputs';
import { openApiValidator } from '../../helpers/contract';
import { ISOLATED, startGateway, type GatewayFixture, type JsonAnswer } from '../../helpers/fixture';

/** RFC 3339 date-time: ISO 8601 with the offset written (what `format: date-time` accepts). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const UPSTREAM_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

let gw: GatewayFixture;
beforeAll(async () => {
  gw = await startGateway(ISOLATED);
});
afterAll(() => gw.close());
beforeEach(() => gw.sim.reset({ state: true }));

/** The documented time members of a value of this shape, found by walking the spec. */
function timeValues(shape: AnswerShape, value: unknown, path = ''): { path: string; value: unknown }[] {
  if (value === null || typeof value !== 'object') return [];
  const members = 'action' in shape ? getAction(shape.action)!.outputs : getStructure(shape.structure)!.members;
  const record = value as Record<string, unknown>;
  return members.flatMap((m) => {
    const v = record[m.name];
    if (v === undefined) return [];
    const at = `${path}.${m.name}`;
    if (isDateTimeMember(m)) return Array.isArray(v) ? v.map((x, i) => ({ path: `${at}[${i}]`, value: x })) : [{ path: at, value: v }];
    if (!getStructure(m.type) || v === null) return [];
    return Array.isArray(v) ? v.flatMap((x, i) => timeValues({ structure: m.type }, x, `${at}[${i}]`)) : timeValues({ structure: m.type }, v, at);
  });
}

/** One answer of a route, and where its documented times are. */
interface Sample {
  res: JsonAnswer;
  /** The documented places inside the answer (the answer itself, or a list in it). */
  parts: { shape: AnswerShape; value: unknown }[];
}

const deployBody = { InstanceIdList: ['img.example.test|off'], ResourceType: 'cdn' };

async function deployment(kind: 'deploy' | 'update' | 'upload-update'): Promise<JsonAnswer[]> {
  let started: JsonAnswer;
  if (kind === 'deploy') started = await gw.request('POST', `/v1/certificates/${cert(gw.sim, '*.example.test')}/deployments`, deployBody);
  else if (kind === 'update') started = await gw.request('PUT', `/v1/certificates/${issued(gw.sim, 'api.example.test')}/replacement`, { CertificateId: cert(gw.sim, '*.example.test'), ResourceTypes: ['clb'] });
  else {
    const pem = newPem('upload.example.test');
    started = await gw.request('PUT', `/v1/certificates/${cert(gw.sim, 'upload.example.test')}/content`, { ResourceTypes: ['clb'], CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key });
  }
  expect(started.status, `${kind} start`).toBe(202);
  const location = started.headers.get('location')!;
  return [await gw.request('GET', location), await gw.poll(location)];
}

const DETAIL: Record<string, string> = { deploy: 'DescribeHostDeployRecordDetail', update: 'DescribeHostUpdateRecordDetail', 'upload-update': 'DescribeHostUploadUpdateRecordDetail' };
const whole = (action: string) => (res: JsonAnswer): Sample => ({ res, parts: [{ shape: { action }, value: res.json }] });

/** How to reach each route in states whose answers hold times. Keys: `METHOD path`. */
const DRIVERS: Record<string, () => Promise<Sample[]>> = {
  'GET /v1/certificates': async () => [whole('DescribeCertificates')(await gw.request('GET', '/v1/certificates?limit=1000'))],
  'GET /v1/certificates/{id}': async () => [whole('DescribeCertificateDetail')(await gw.request('GET', `/v1/certificates/${issued(gw.sim, 'www.example.test')}`))],
  'GET /v1/bind-resource-tasks/{id}': async () => {
    const started = await gw.request('POST', `/v1/certificates/${cert(gw.sim, '*.example.test')}/bind-resource-tasks`, { IsCache: 0 });
    const location = started.headers.get('location')!;
    return [await gw.request('GET', location), await gw.poll(location)].map((res) => ({ res, parts: [{ shape: { structure: 'SyncTaskBindResourceResult' }, value: res.json }] }));
  },
  'GET /v1/bind-resource-tasks/{id}/detail': async () => {
    const started = await gw.request('POST', `/v1/certificates/${cert(gw.sim, '*.example.test')}/bind-resource-tasks`, { IsCache: 0 });
    await gw.poll(started.headers.get('location')!);
    return [whole('DescribeCertificateBindResourceTaskDetail')(await gw.request('GET', `${started.headers.get('location')}/detail`))];
  },
  'GET /v1/delete-tasks/{id}': async () => {
    const started = await gw.request('DELETE', `/v1/certificates/${cert(gw.sim, 'legacy.example.test')}?checkResources=true`);
    const location = started.headers.get('location')!;
    return [await gw.request('GET', location), await gw.poll(location)].map((res) => ({ res, parts: [{ shape: { structure: 'DeleteTaskResult' }, value: res.json }] }));
  },
  'GET /v1/delete-tasks': async () => {
    const started = await gw.request('POST', '/v1/certificates:batch-delete', { CertificateIds: [cert(gw.sim, 'revoked.example.test'), cert(gw.sim, 'failed.example.test')], IsSync: true });
    const location = started.headers.get('location')!;
    return [await gw.request('GET', location), await gw.poll(location)].map((res) => ({
      res,
      parts: (res.json.Tasks as unknown[]).map((t) => ({ shape: { structure: 'DeleteTaskResult' }, value: t })),
    }));
  },
  'GET /v1/deployments/{kind}/{id}': async () => {
    const samples: Sample[] = [];
    for (const kind of ['deploy', 'update', 'upload-update'] as const) samples.push(...(await deployment(kind)).map(whole(DETAIL[kind])));
    return samples;
  },
};

const key = (r: Route) => `${r.method} ${r.path}`;
/** Resource routes (not the raw action route) that call an action whose answer documents times. */
const routesWithTimes = REST_ROUTES.filter((r) => (r.times ?? 'iso') === 'iso' && r.doc.actions.some((a) => shapeHasTimes({ action: a })));
const doc = buildOpenApiDocument(REST_ROUTES) as Record<string, any>;

describe('resource routes answer times in ISO 8601 with the offset', () => {
  it('has a driver for every resource route whose answer holds documented times (derived from the spec)', () => {
    expect(Object.keys(DRIVERS).sort()).toEqual(routesWithTimes.map(key).sort());
  });

  for (const route of routesWithTimes) {
    it(`${key(route)}: every documented time is ISO 8601 with an offset (or null), and the answer validates with format date-time`, async () => {
      const driver = DRIVERS[key(route)];
      expect(driver, key(route)).toBeDefined();
      const validate = openApiValidator(doc);
      const samples = await driver();
      let seen = 0;
      for (const { res, parts } of samples) {
        expect([200, 202], `${key(route)} ${JSON.stringify(res.json).slice(0, 300)}`).toContain(res.status);
        for (const { shape, value } of parts) {
          for (const t of timeValues(shape, value)) {
            if (t.value === null) continue;
            expect(t.value, `${key(route)} ${t.path}`).toMatch(ISO_WITH_OFFSET);
            expect(Number.isNaN(Date.parse(t.value as string)), `${key(route)} ${t.path}`).toBe(false);
            seen++;
          }
        }
        const schema = doc.paths[route.path][route.method.toLowerCase()].responses[String(res.status)].content['application/json'].schema.$ref.replace('#/components/schemas/', '');
        expect(validate(schema, res.json), `${key(route)} ${res.status} against ${schema}`).toEqual([]);
      }
      expect(seen, `${key(route)}: no time value was answered, the check would prove nothing`).toBeGreaterThan(0);
    });
  }
});

describe('the same times on the three surfaces', () => {
  it('a certificate: the resource route answers upstreamToIso of what /v1/actions passes through, the same text as GraphQL', async () => {
    const id = issued(gw.sim, 'www.example.test');
    const rest = (await gw.request('GET', `/v1/certificates/${id}`)).json;
    const raw = (await gw.request('POST', '/v1/actions/DescribeCertificateDetail', { CertificateId: id })).json;
    const gql = await gw.graphql('query ($id: ID!) { certificateDetail(certificateId: $id) { certBeginTime certEndTime insertTime } }', { id });
    expect(gql.errors).toBeUndefined();
    for (const [member, field] of [['CertBeginTime', 'certBeginTime'], ['CertEndTime', 'certEndTime'], ['InsertTime', 'insertTime']]) {
      expect(raw[member], member).toMatch(UPSTREAM_TEXT);
      expect(rest[member], member).toBe(upstreamToIso(raw[member]));
      expect(rest[member], member).toMatch(/\+08:00$/);
      expect(gql.data.certificateDetail[field], member).toBe(rest[member]);
    }
  });

  it('a deployment record: the record route and GraphQL answer the same instance times', async () => {
    const [, done] = await deployment('deploy');
    const id = String(done.json.DeployRecordId);
    const raw = (await gw.request('POST', '/v1/actions/DescribeHostDeployRecordDetail', { DeployRecordId: id })).json;
    const gql = await gw.graphql('query ($id: ID!) { deployRecordDetails(deployRecordId: $id) { deployRecordDetailList { createTime updateTime } } }', { id });
    expect(gql.errors).toBeUndefined();
    const restList = done.json.DeployRecordDetailList as Record<string, string>[];
    expect(restList.length).toBeGreaterThan(0);
    restList.forEach((d, i) => {
      expect(d.CreateTime).toBe(upstreamToIso(raw.DeployRecordDetailList[i].CreateTime));
      expect(gql.data.deployRecordDetails.deployRecordDetailList[i]).toEqual({ createTime: d.CreateTime, updateTime: d.UpdateTime });
    });
  });
});
