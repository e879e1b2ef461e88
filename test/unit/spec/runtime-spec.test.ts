/**
 * The compact runtime spec (spec/runtime/*.json) that both Lambda bundles load instead of
 * spec/*.json: generated from the source of truth (fresh), decoded into exactly the objects
 * `compactSpec`/`compactEnglish` build, and the GraphQL runtime derives exactly the same model
 * from them (types, conversions, enum maps, arguments, caps), only without documentation text,
 * which lives in the SDL (GraphQL) and the build-time OpenAPI document (REST).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compactEnglish, compactSpec, runtimeArtifacts, RUNTIME_ENGLISH_PATH, RUNTIME_SPEC_PATH } from '../../../scripts/generate-runtime';
import { buildModel, type English, type GraphQLModel } from '../../../src/graphql/model';
import { spec } from '../../../src/spec';
import { decodeRuntimeEnglish, decodeRuntimeSpec, encodeRuntimeEnglish, encodeRuntimeSpec, type RuntimeEnglishFile, type RuntimeSpecFile } from '../../../src/spec/runtime-form';
import fullEnglish from '../../../spec/en.json' with { type: 'json' };

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

  it('decodes the committed files into exactly the objects compactSpec and compactEnglish build (same keys, same order)', () => {
    const specFile = JSON.parse(readFileSync(RUNTIME_SPEC_PATH, 'utf8')) as RuntimeSpecFile;
    const enFile = JSON.parse(readFileSync(RUNTIME_ENGLISH_PATH, 'utf8')) as RuntimeEnglishFile;
    expect(JSON.stringify(decodeRuntimeSpec(specFile))).toBe(JSON.stringify(compactSpec()));
    expect(JSON.stringify(decodeRuntimeEnglish(enFile))).toBe(JSON.stringify(compactEnglish()));
    expect(decodeRuntimeSpec(specFile)).toStrictEqual(compactSpec());
  });

  it('stores only what is not a default: no empty descriptions or meanings, no false flags', () => {
    const text = readFileSync(RUNTIME_SPEC_PATH, 'utf8') + readFileSync(RUNTIME_ENGLISH_PATH, 'utf8');
    for (const noise of ['"description":""', '"meaning":""', '"deprecated":false', '"nullable":false', '"array":false', '"required":false', '"title":""', '"errors":[]', '"examples":[]']) {
      expect(text, noise).not.toContain(noise);
    }
    // About a third of the plain compact JSON it replaced.
    expect(text.length).toBeLessThan(0.45 * (JSON.stringify(compactSpec()).length + JSON.stringify(compactEnglish()).length));
  });

  it('refuses documentation the runtime form cannot carry instead of dropping it', () => {
    const withText = compactSpec();
    withText.actions.DescribeCertificates.inputs[0].description = 'text';
    expect(() => encodeRuntimeSpec(withText)).toThrow(/DescribeCertificates\.in\..*a description/);
    const withField = compactSpec();
    (withField.structures.Tags.members[0] as unknown as Record<string, unknown>).pattern = '^x$';
    expect(() => encodeRuntimeSpec(withField)).toThrow(/Tags\..*field pattern/);
    const withMeaning = compactSpec();
    const member = Object.values(withMeaning.actions).flatMap((a) => a.inputs).find((m) => m.enum)!;
    member.enum![0].meaning = '含义';
    expect(() => encodeRuntimeSpec(withMeaning)).toThrow(/an enum meaning/);
    expect(() => encodeRuntimeEnglish(fullEnglish as English)).toThrow(/action texts|structure texts/);
  });

  it('gives the REST action list its summaries: every action of spec/en.json', () => {
    const en = compactEnglish();
    for (const [name, a] of Object.entries((fullEnglish as English).actions)) expect(en.actions[name].summary, name).toBe(a.summary);
  });
});
