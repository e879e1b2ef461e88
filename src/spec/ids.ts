/**
 * The id shapes the gateway accepts before any upstream call (path ids on REST, id arguments on
 * GraphQL): one table, so both surfaces refuse the same things with the same description.
 */
export type IdKind = 'certificate' | 'task' | 'record';

/**
 * Accepted id shapes. Certificate and task ids are short opaque tokens (`hehj1jsj`, `758439`);
 * deployment record ids are positive integers. Anything else is refused before an upstream call.
 */
export const ID_PATTERNS: Readonly<Record<IdKind, { pattern: RegExp; description: string }>> = {
  certificate: { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, description: '1-64 characters: letters, digits, "_", "-", "." (starting with a letter or digit)' },
  task: { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, description: '1-64 characters: letters, digits, "_", "-", "." (starting with a letter or digit)' },
  record: { pattern: /^[1-9][0-9]{0,15}$/, description: 'a positive integer' },
};
