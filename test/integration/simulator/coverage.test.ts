/**
 * Every action of the spec is implemented: called with valid params (the shared table of action
 * inputs, test/helpers/action-inputs.ts) against a fresh simulator (strict shapes), it succeeds
 * and returns every documented output member — at the top level and inside every returned
 * structure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getStructure, spec, type MemberSpec } from '../../../src/spec/index';
import { ACTION_INPUTS as builders, clean } from '../../helpers/action-inputs';
import { ok, startSimulator, type Simulator } from '../../helpers/simulator';

/** Paths of documented members missing from `value` (recursively through structures). */
function missingMembers(members: readonly MemberSpec[], value: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const m of members) {
    if (!(m.name in value)) {
      out.push(`${prefix}${m.name}`);
      continue;
    }
    const v = value[m.name];
    const structure = getStructure(m.type);
    if (!structure || v === null) continue;
    const items = m.array ? (v as unknown[]) : [v];
    items.forEach((item, i) => {
      if (item && typeof item === 'object') {
        out.push(...missingMembers(structure.members, item as Record<string, unknown>, `${prefix}${m.name}${m.array ? `.${i}` : ''}.`));
      }
    });
  }
  return out;
}

describe('every action of the spec is implemented', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('has a minimal-params case for each of the spec actions', () => {
    expect(Object.keys(spec.actions).length).toBe(68);
    expect(Object.keys(builders).sort()).toEqual(Object.keys(spec.actions).sort());
  });

  for (const action of Object.keys(spec.actions).sort()) {
    it(action, async () => {
      sim = await startSimulator({ rateLimits: false });
      const params = clean(await builders[action](sim));
      const response = await ok(sim, action, params);
      expect(response.RequestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(missingMembers(spec.actions[action].outputs, response)).toEqual([]);
    });
  }
});
