/**
 * Imports run one way (the layers in .dependency-cruiser.cjs): the real tree has no violation,
 * and the same rules do catch one (a fixture tree where upstream imports a surface and one
 * surface imports the other), so the check cannot pass by checking nothing.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs');

function cruise(cwd: string, paths: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, ...paths, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('import direction', () => {
  it('src/ and handlers/ import only downward, and the surfaces never import each other', () => {
    const r = cruise(ROOT, ['src', 'handlers']);
    expect(r.out).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  });

  it('the rules catch an upward import and a surface importing another surface', () => {
    const r = cruise(join(ROOT, 'test', 'fixtures', 'layering'), ['src']);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/layer-1-imports-upward: src\/upstream\/x\.ts → src\/graphql\/y\.ts/);
    expect(r.out).toMatch(/surface-rest-imports-another-surface: src\/rest\/z\.ts → src\/graphql\/y\.ts/);
  });
});
