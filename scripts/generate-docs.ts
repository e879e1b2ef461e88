/** Rewrites the generated tables of README.md in place. `--check` exits 1 when they are stale. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderOperationsTable, TABLE_END, TABLE_START } from '../src/graphql/operations-doc';

const path = resolve(import.meta.dirname, '../README.md');
const readme = readFileSync(path, 'utf8');
const start = readme.indexOf(TABLE_START);
const end = readme.indexOf(TABLE_END);
if (start < 0 || end < 0) throw new Error('README.md has no operations table markers');
const next = readme.slice(0, start) + renderOperationsTable() + readme.slice(end + TABLE_END.length);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md operations table is stale: run npm run docs:generate');
    process.exit(1);
  }
} else writeFileSync(path, next);
