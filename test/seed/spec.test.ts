/**
 * The committed spec against the seed documentation it was extracted from. Runs in
 * `npm run spec:check` (with the extractor's byte-for-byte re-extraction check), not in `npm test`:
 * the seed lives beside the repository (../shared/seeds, or SPEC_SEED), which a clone alone has
 * not. Without it these tests fail; they never skip.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../../spec/extract';
import { spec } from '../../src/spec';
import { allMembers } from '../helpers/spec-members';

const seed = readFileSync(DEFAULT_SEED, 'utf8');
const seedLines = new Set(seed.split('\n').map((l) => l.trim()));

describe('spec against the seed documentation', () => {
  it('has exactly the actions the seed documents ("本接口取值：X")', () => {
    const documented = [...seed.matchAll(/公共参数，本接口取值：([A-Za-z]+)。/g)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(spec.actions)));
  });

  it('every member is a documented row of the seed', () => {
    for (const { owner, m } of allMembers()) {
      const rowStart = [...seedLines].some((l) => l === m.name || l.startsWith(`${m.name} `) || l.startsWith(`${m.name}.N `));
      expect(rowStart, `${owner}.${m.name} not a row in the seed`).toBe(true);
    }
  });

  it('marks nullable every member with a "may return null" note, plus the two documented as null', () => {
    const notes = seed.match(/注意：此字段可能返回\s*null/g)!.length;
    // The two members whose description documents null as a value (uploaded certificates have
    // no PackageType; ResourceIds "will only return null"), checked by name in test/unit/spec.
    expect(allMembers().filter(({ m }) => m.nullable).length).toBe(notes + 2);
  });
});
