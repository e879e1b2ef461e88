/**
 * Time formats used by the SSL API.
 *
 * Most time fields are `YYYY-MM-DD HH:mm:ss` in China Standard Time (UTC+8), which is what the
 * real service returns; deploy/update record details use `2024-08-23T01:34:43.000000Z` (UTC),
 * as in the documented examples.
 */
const CST_OFFSET_MS = 8 * 3600 * 1000;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatTime(ms: number): string {
  const d = new Date(ms + CST_OFFSET_MS);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

export function formatIsoMicros(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000Z`
  );
}

/** Parses `YYYY-MM-DD[ HH:mm:ss]` (UTC+8) or an ISO string; undefined when unparseable. */
export function parseTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
    return Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - CST_OFFSET_MS;
  }
  const iso = Date.parse(text);
  return Number.isNaN(iso) ? undefined : iso;
}

/** UTC date of a unix timestamp in seconds, as used in the TC3 credential scope. */
export function utcDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
