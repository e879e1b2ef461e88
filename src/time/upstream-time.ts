/**
 * The upstream's time text and ISO 8601, both ways. The SSL API writes times as
 * "YYYY-MM-DD hh:mm:ss" in China Standard Time (UTC+08:00) without writing the offset; the
 * gateway's client-facing times (GraphQL's DateTime, the REST resource routes) are ISO 8601 /
 * RFC 3339 with the offset written, so a client never has to know the service's time zone.
 *
 * One implementation for both surfaces, so GraphQL and REST answer the same text for the same
 * upstream value:
 * - "", "0000-00-00 00:00:00" and "--" mean "no time yet": `null` (the documentation's own
 *   DescribeCertificates examples answer ValidationPassedTime "--" for a validation not passed);
 * - "2025-12-02 07:59:59" → "2025-12-02T07:59:59+08:00" (missing seconds or time read as 0);
 * - "24:00:00" (end of the day, in some documented examples) → 00:00:00 of the next day: the same
 *   instant, and RFC 3339 has no hour 24;
 * - any other text is passed through unchanged: a time the upstream already writes in ISO 8601
 *   with an offset (some deployment details answer "2024-08-23T01:34:43.000000Z") is already
 *   what clients get elsewhere, and the gateway never invents a time it cannot read.
 */

/** The service's offset: China Standard Time, no daylight saving. */
export const UPSTREAM_OFFSET = '+08:00';
const UPSTREAM_OFFSET_MS = 8 * 3600_000;

const UPSTREAM_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?$/;
const HAS_OFFSET = /[zZ]|[+-]\d{2}:?\d{2}$/;

/** Whether the upstream means "no time" (empty, the all-zero date, or the placeholder "--"). */
export function isEmptyUpstreamTime(value: unknown): boolean {
  return value === '' || value === '--' || (typeof value === 'string' && value.startsWith('0000-00-00'));
}

/** The fields of an upstream time when they form a real calendar time (hour 24 only as 24:00:00). */
function readUpstream(value: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } | undefined {
  const m = UPSTREAM_DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? '0'));
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || mi > 59 || s > 59) return undefined;
  if (h > 24 || (h === 24 && (mi !== 0 || s !== 0))) return undefined;
  return { y, mo, d, h, mi, s };
}

/** "2025-12-02 07:59:59" (China Standard Time) → "2025-12-02T07:59:59+08:00"; null for "no time"; other text unchanged. */
export function upstreamToIso(value: string): string | null {
  if (isEmptyUpstreamTime(value)) return null;
  const t = readUpstream(value);
  if (!t) return value;
  // Date.UTC carries 24:00:00 over into the next day; the fields are wall-clock time at +08:00.
  const wall = new Date(Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s)).toISOString();
  return `${wall.slice(0, 19)}${UPSTREAM_OFFSET}`;
}

/**
 * Any ISO 8601 date-time (or the upstream's own form, read as China Standard Time) →
 * "YYYY-MM-DD hh:mm:ss" in UTC+08:00; `undefined` when the text is not a time (the caller says
 * so in its own error type, without echoing the text).
 */
export function isoToUpstream(value: string): string | undefined {
  if (!HAS_OFFSET.test(value) && UPSTREAM_DATE_TIME.test(value.trim())) {
    // The upstream's own form (no offset): China Standard Time; not a real calendar time is refused.
    const iso = readUpstream(value) ? upstreamToIso(value) : null;
    return iso ? iso.slice(0, 19).replace('T', ' ') : undefined;
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms + UPSTREAM_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}
