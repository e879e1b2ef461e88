/**
 * The one reading of client text as an `Integer` member (ids such as ProjectId, ManagerId,
 * DeployRecordId; paging values in query strings): canonical decimal only. `Number()` would take
 * "" as 0, "0x3E8" as 1000, " 1e0 " as 1, so two different inputs could name the same resource
 * and garbage could reach the upstream as a valid id.
 */

/** Canonical decimal text: no sign on zero, no leading zeros, no spaces, no exponent, no "+". */
const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;

/** The integer `text` denotes when it is canonical decimal within the safe range, else undefined. */
export function parseCanonicalInteger(text: string): number | undefined {
  if (!CANONICAL_INTEGER.test(text) || text.length > 17) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
