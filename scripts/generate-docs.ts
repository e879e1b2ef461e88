/**
 * Rewrites the generated tables of README.md in place, and the example operations of
 * examples/graphql/operations/ from the playground's tabs. `--check` exits 1 when any is stale.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ERRORS_TABLE_END, ERRORS_TABLE_START, renderErrorTables } from '../src/errors';
import { renderOperationsTable, TABLE_END, TABLE_START } from '../src/graphql/operations-doc';
import { exampleOperationFiles } from '../src/playground/examples';

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
const operationsDir = resolve(import.meta.dirname, '../examples/graphql/operations');
const staleOperations = Object.entries(exampleOperationFiles()).filter(([name, text]) => {
  const file = resolve(operationsDir, name);
  return !existsSync(file) || readFileSync(file, 'utf8') !== text;
});
if (process.argv.includes('--check')) {
  if (next !== readme || staleOperations.length > 0) {
    console.error('README.md generated tables or examples/graphql/operations are stale: run npm run docs:generate');
    process.exit(1);
  }
} else {
  writeFileSync(path, next);
  for (const [name, text] of staleOperations) writeFileSync(resolve(operationsDir, name), text);
}
