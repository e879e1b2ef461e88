/**
 * The schema matches the answers: every upstream answer a client can meet (documented examples,
 * every action on a fresh simulator, the seeded data through every read action, tasks and
 * deployments in every state) validates against the GraphQL types (nullability, lists, scalars)
 * and against the OpenAPI response schemas (ajv, JSON Schema 2020-12, with ajv-formats): as
 * `/v1/actions` answers them (the upstream's time text), and as the resource routes answer them
 * (times converted to ISO 8601, the `…Iso` schemas, `format: date-time` enforced).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES, buildOpenApiDocument } from '../../../src/rest';
import { getAction, getStructure, spec } from '../../../src/spec';
import { timesToIso } from '../../../src/spec/times';
import { allAnswers, type Answer } from '../../helpers/answers';
import { graphqlChecker, openApiValidator } from '../../helpers/contract';

let answers: Answer[];
beforeAll(async () => {
  answers = await allAnswers();
}, 120_000);

describe('upstream answers against the contracts', () => {
  it('covers every one of the 68 actions with documented and simulated answers', () => {
    const actions = Object.keys(spec.actions);
    expect(actions).toHaveLength(68);
    for (const source of ['documented', 'minimal'] as const) {
      const seen = new Set(answers.filter((a) => a.source === source).map((a) => a.action));
      expect(actions.filter((a) => !seen.has(a)), source).toEqual([]);
    }
    expect(answers.filter((a) => a.source === 'seeded').length).toBeGreaterThan(200);
    expect(answers.filter((a) => a.source === 'states').length).toBeGreaterThan(50);
  });

  it('every answer fits the GraphQL types of its action', () => {
    const check = graphqlChecker();
    const problems = answers.flatMap((a) => check(`${a.action}Response`, a.body).map((v) => `${a.source} ${a.label}: ${v.path}: ${v.problem}`));
    expect([...new Set(problems)].slice(0, 40)).toEqual([]);
  });

  it('every answer validates against the OpenAPI response schema of its action', () => {
    const validate = openApiValidator();
    const problems = answers.flatMap((a) => validate(`${a.action}Response`, a.body).map((p) => `${a.source} ${a.label}: ${p}`));
    expect([...new Set(problems)].slice(0, 40)).toEqual([]);
  });

  it('every answer, with its times converted as the resource routes convert them, validates against the resource routes\' schemas (format date-time enforced)', () => {
    const doc = buildOpenApiDocument(REST_ROUTES) as { components: { schemas: Record<string, unknown> } };
    const has = (name: string) => Object.prototype.hasOwnProperty.call(doc.components.schemas, name);
    const validate = openApiValidator(doc);
    // The validator checks formats: the upstream's text is not a date-time.
    const certificate = { CertificateId: 'c1', CertBeginTime: '2025-12-02T07:59:59+08:00' };
    expect(validate('CertificatesIso', certificate).filter((p) => p.includes('format'))).toEqual([]);
    expect(validate('CertificatesIso', { ...certificate, CertBeginTime: '2025-12-02 07:59:59' })).toContain('/CertBeginTime must match format "date-time"');

    const problems: string[] = [];
    const checked = new Set<string>();
    for (const a of answers) {
      const converted = timesToIso({ action: a.action }, a.body);
      if (has(`${a.action}ResponseIso`)) {
        checked.add(`${a.action}ResponseIso`);
        problems.push(...validate(`${a.action}ResponseIso`, converted).map((p) => `${a.source} ${a.label}: ${p}`));
        continue;
      }
      // Task and record views carry the action's structures (DeleteTaskResult, DeployRecordDetail, …).
      for (const m of getAction(a.action)!.outputs) {
        const v = (converted as Record<string, unknown>)[m.name];
        if (!getStructure(m.type) || !has(`${m.type}Iso`) || v === null || v === undefined) continue;
        checked.add(`${m.type}Iso`);
        for (const item of Array.isArray(v) ? v : [v]) problems.push(...validate(`${m.type}Iso`, item).map((p) => `${a.source} ${a.label} ${m.name}: ${p}`));
      }
    }
    expect([...new Set(problems)].slice(0, 40)).toEqual([]);
    // Every resource-route schema with times that answers carry at the top of an action's answer.
    expect([...checked].sort()).toEqual(
      expect.arrayContaining(['DeleteTaskResultIso', 'DeployRecordDetailIso', 'DeployRecordIso', 'DescribeCertificateBindResourceTaskDetailResponseIso', 'DescribeCertificateDetailResponseIso', 'DescribeCertificatesResponseIso', 'SyncTaskBindResourceResultIso', 'UpdateRecordDetailsIso']),
    );
  });
});
