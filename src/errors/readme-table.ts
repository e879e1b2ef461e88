/**
 * The README's error tables, rendered from the catalogue so that `npm run docs:generate` writes
 * them and a test (`test/unit/errors/catalogue.test.ts`) fails when the README disagrees.
 */
import { ERROR_CATALOGUE, ERROR_REASONS, type ErrorEntry } from './catalogue';

export const ERRORS_TABLE_START = '<!-- errors:start (generated from src/errors/catalogue.ts by `npm run docs:generate`) -->';
export const ERRORS_TABLE_END = '<!-- errors:end -->';

// A literal `|` would end the table cell.
const cell = (text: string): string => text.replace(/\|/g, '\\|');

function statuses(e: ErrorEntry): string {
  const other = Object.entries(e.otherStatuses ?? {}).map(([status, when]) => `${status} (${/^[A-Z_]+$/.test(when) ? `\`${when}\`` : when})`);
  return [String(e.httpStatus), ...other].join(', ');
}

export function renderErrorTables(): string {
  const codes = ERROR_CATALOGUE.map((e) => `| \`${e.code}\` | ${statuses(e)} | ${e.retry} | ${e.surfaces.join(', ')} | ${cell(e.meaning)} |`);
  const reasons = ERROR_REASONS.map((r) => `| \`${r.reason}\` | \`${r.field}\` | \`${r.code}\` | ${r.httpStatus} | ${r.retry} | ${cell(r.meaning)} |`);
  return [
    ERRORS_TABLE_START,
    '| Code | HTTP | Retry | Surfaces | Meaning |',
    '|---|---|---|---|---|',
    ...codes,
    '',
    'Reasons refine a code where a client must tell cases apart:',
    '',
    '| Reason | In | Code | HTTP | Retry | Meaning |',
    '|---|---|---|---|---|---|',
    ...reasons,
    ERRORS_TABLE_END,
  ].join('\n');
}
