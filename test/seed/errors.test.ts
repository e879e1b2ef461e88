/**
 * The upstream error table covers the seed's error code page. Runs in `npm run spec:check`, not in
 * `npm test` (the seed lives beside the repository; see test/seed/spec.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../../spec/extract';
import { classifyUpstreamError } from '../../src/upstream/errors';

describe('classifyUpstreamError against the seed', () => {
  it('classifies every documented error code of the seed (none falls to the unknown rule)', () => {
    const seed = readFileSync(DEFAULT_SEED, 'utf8');
    // the "错误码" page: from its list header to the start of the retired 2017 API
    const end = seed.indexOf('SSL 证书 API 2017');
    const start = seed.lastIndexOf('\n错误码列表\n', end);
    expect(start).toBeGreaterThan(0);
    const codes = new Set<string>();
    for (const m of seed.slice(start, end).matchAll(/^([A-Z][A-Za-z]+(?:\.[A-Za-z0-9]+)*)(?:\s|$)/gm)) {
      codes.add(m[1]);
    }
    expect(codes.size).toBeGreaterThan(100);
    const unmatched = [...codes].filter((c) => classifyUpstreamError(c).matched === undefined);
    expect(unmatched).toEqual([]);
  });
});
