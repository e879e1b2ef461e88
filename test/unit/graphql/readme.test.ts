import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderOperationsTable } from '../../../src/graphql/operations-doc';

describe('README', () => {
  it('lists every action with its GraphQL field, exactly as the operations table says', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(renderOperationsTable());
    expect(renderOperationsTable().split('\n').filter((l) => l.startsWith('| `'))).toHaveLength(68);
  });
});
