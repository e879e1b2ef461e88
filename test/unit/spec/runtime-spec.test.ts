/**
 * The compact runtime spec (spec/runtime/*.json) that the GraphQL function's bundle loads instead
 * of spec/*.json: generated from the source of truth (fresh), and the GraphQL runtime derives
 * exactly the same model from it (types, conversions, enum maps, arguments, caps), only without
 * documentation text, which lives in the SDL.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactEnglish, compactSpec, runtimeArtifacts, RUNTIME_ENGLISH_PATH, RUNTIME_SPEC_PATH } from '../../../scripts/generate-runtime';
import { buildModel, type GraphQLModel } from '../../../src/graphql/model';
import { spec } from '../../../src/spec';

/** Documentation: text, examples and error tables (the error codes the runtime maps are in src/upstream). */
const DOCUMENTATION = ['description', 'meaning', 'maxSource', 'example', 'title', 'errors', 'examples', 'rateLimitNote', 'commonErrors', 'businessErrors', 'reason'];

/** The model as the runtime reads it: documentation left out. */
function runtimeView(model: GraphQLModel): unknown {
  return JSON.parse(
    JSON.stringify(model, (key, value: unknown) => {
      if (DOCUMENTATION.includes(key)) return undefined;
      // Enum values: value name → description (documentation); the names are what runs.
      if (key === 'values' && value instanceof Map) return [...value.keys()];
      if (value instanceof Map) return [...value.entries()];
      return value;
    }),
  );
}

describe('compact runtime spec', () => {
  it('spec/runtime/*.json are generated from spec/ssl-2019-12-05.json and spec/en.json (run npm run runtime:generate)', () => {
    for (const a of runtimeArtifacts().filter((x) => x.path === RUNTIME_SPEC_PATH || x.path === RUNTIME_ENGLISH_PATH)) {
      expect(readFileSync(a.path, 'utf8'), a.path).toBe(a.text);
    }
  });

  it('gives the GraphQL runtime the same model as the full spec, without documentation text', () => {
    const full = buildModel();
    const compact = buildModel(compactSpec(), compactEnglish());
    expect(runtimeView(compact)).toEqual(runtimeView(full));
    // Date-time detection reads examples: the ones it needs are kept.
    const dateTimeFields = [...full.fieldIndex.values()].flatMap((m) => [...m.values()]).filter((f) => f.conversion === 'datetime');
    expect(dateTimeFields.length).toBeGreaterThan(20);
  });

  it('keeps every name, type, cap, limit, default, region and read/write kind of the spec', () => {
    const small = compactSpec();
    const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (key, value: unknown) => (DOCUMENTATION.includes(key) ? undefined : value)));
    expect(strip(small)).toEqual(strip(spec));
    expect(Object.keys(small.actions)).toHaveLength(68);
    expect(small.actions.DescribeCertificates).toMatchObject({ kind: 'read', rateLimit: spec.actions.DescribeCertificates.rateLimit, description: '' });
    expect(JSON.stringify(small)).not.toMatch(/[\u3400-\u9fff]/);
  });
});
