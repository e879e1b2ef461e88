/** Rewrites the generated tables of README.md in place. `--check` exits 1 when they are stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERRORS_TABLE_END, ERRORS_TABLE_START, renderErrorTables } from '../src/errors';
import { renderOperationsTable, TABLE_END, TABLE_START } from '../src/graphql/operations-doc';

/** Replaces the text from `start` to `end` (markers included) by `rendered`, which carries both. */
function replaceBetween(text: string, start: string, end: string, rendered: string, what: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0) throw new Error(`README.md has no ${what} markers`);
  return text.slice(0, from) + rendered + text.slice(to + end.length);
}

const path = resolve(import.meta.dirname, '../README.md');
const readme = readFileSync(path, 'utf8');
let next = replaceBetween(readme, TABLE_START, TABLE_END, renderOperationsTable(), 'operations table');
next = replaceBetween(next, ERRORS_TABLE_START, ERRORS_TABLE_END, renderErrorTables(), 'error table');
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md generated tables are stale: run npm run docs:generate');
    process.exit(1);
  }
} else writeFileSync(path, next);
