/**
 * The schema matches the answers: every upstream answer a client can meet (documented examples,
 * every action on a fresh simulator, the seeded data through every read action, tasks and
 * deployments in every state) validates against the GraphQL types (nullability, lists, scalars)
 * and against the OpenAPI response schemas (ajv, JSON Schema 2020-12).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spec } from '../../../src/spec';
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
});
