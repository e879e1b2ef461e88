/**
 * Issue 8, item 10: every line the process writes is a structured JSON log line. Nothing in
 * `src/` or `handlers/` writes to the console directly (the simulator, a separate program, and the
 * local server's human start-up banner excepted); code without a logger of its own uses the
 * process's structured fallback logger.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { executeIdempotent, MemoryIdempotencyStore, type IdempotencyStore } from '../../../src/idempotency';
import { createLogger, setFallbackLogger, type Logger } from '../../../src/observability/log';

const ROOT = join(__dirname, '..', '..', '..');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The one console write allowed outside the simulator: the local server's start-up banner. */
const ALLOWED = new Set(['src/dev/main.ts: console.log(startupBanner(server, config));']);

describe('structured output only', () => {
  it('no console.* call in src/ (outside the simulator) or handlers/, except the local start-up banner', () => {
    const found: string[] = [];
    for (const file of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'handlers'))]) {
      const rel = relative(ROOT, file).split('\\').join('/');
      if (rel.startsWith('src/simulator/')) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (!/\bconsole\.(log|warn|error|info|debug|trace)\s*\(/.test(line)) return;
          const entry = `${rel}: ${line.trim()}`;
          if (!ALLOWED.has(entry)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });

  describe('idempotency warnings without a logger of their own', () => {
    let previous: Logger | undefined;
    afterEach(() => {
      setFallbackLogger(previous);
    });

    it('are JSON log lines of the fallback logger (never console text)', async () => {
      const lines: string[] = [];
      previous = setFallbackLogger(createLogger({ destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as never }));
      const inner = new MemoryIdempotencyStore();
      const store: IdempotencyStore = {
        begin: (r) => inner.begin(r),
        complete: async () => {
          throw new Error('store went away');
        },
        release: (k, t, s) => inner.release(k, t, s),
      };
      await executeIdempotent(store, { key: 'k', scope: 'key:warn', fingerprint: 'fp', ttlSeconds: 60 }, async () => 'done');
      expect(lines).toHaveLength(1);
      const line = JSON.parse(lines[0]);
      expect(line).toMatchObject({ level: 40, service: 'ssl-gateway', scope: 'key:warn', idempotencyKey: 'k', error: 'store went away' });
      expect(line.msg).toMatch(/could not store the idempotency outcome/);
    });
  });
});
