/**
 * The one conversion between the upstream's time text ("YYYY-MM-DD hh:mm:ss", China Standard
 * Time, no offset) and ISO 8601 with the offset, used by GraphQL's DateTime and the REST
 * resource routes alike.
 */
import { describe, expect, it } from 'vitest';
import { isEmptyUpstreamTime, isoToUpstream, upstreamToIso } from '../../../src/time/upstream-time';

describe('upstream time → ISO 8601 with offset', () => {
  it('writes the +08:00 offset of the service', () => {
    expect(upstreamToIso('2025-12-02 07:59:59')).toBe('2025-12-02T07:59:59+08:00');
    expect(upstreamToIso('2025-12-02 7:5')).toBe('2025-12-02T07:05:00+08:00');
    expect(upstreamToIso('2023-08-26')).toBe('2023-08-26T00:00:00+08:00');
  });

  it('answers null for "no time yet": empty, the all-zero date, or the documented placeholder "--"', () => {
    expect(upstreamToIso('')).toBeNull();
    expect(upstreamToIso('0000-00-00 00:00:00')).toBeNull();
    expect(upstreamToIso('--')).toBeNull();
    expect(isEmptyUpstreamTime('--')).toBe(true);
    expect(isEmptyUpstreamTime('')).toBe(true);
    expect(isEmptyUpstreamTime('0000-00-00')).toBe(true);
    expect(isEmptyUpstreamTime('2025-01-01 00:00:00')).toBe(false);
    expect(isEmptyUpstreamTime(null)).toBe(false);
  });

  it('reads 24:00:00 (end of day, as documented examples write it) as 00:00:00 of the next day, which RFC 3339 accepts', () => {
    expect(upstreamToIso('2028-09-08 24:00:00')).toBe('2028-09-09T00:00:00+08:00');
    expect(upstreamToIso('2028-12-31 24:00:00')).toBe('2029-01-01T00:00:00+08:00');
  });

  it('passes text it cannot read, and times already written in ISO 8601 with an offset, through unchanged', () => {
    expect(upstreamToIso('2024-08-23T01:34:43.000000Z')).toBe('2024-08-23T01:34:43.000000Z');
    expect(upstreamToIso('2025-02-30 00:00:00')).toBe('2025-02-30 00:00:00');
    expect(upstreamToIso('2025-12-02 24:30:00')).toBe('2025-12-02 24:30:00');
    expect(upstreamToIso('soon')).toBe('soon');
  });
});

describe('ISO 8601 → upstream time', () => {
  it('converts any offset to China Standard Time', () => {
    expect(isoToUpstream('2025-12-02T07:59:59+08:00')).toBe('2025-12-02 07:59:59');
    expect(isoToUpstream('2025-12-01T23:59:59Z')).toBe('2025-12-02 07:59:59');
    expect(isoToUpstream('2025-12-02T01:59:59-06:00')).toBe('2025-12-02 15:59:59');
  });

  it("reads the upstream's own form as China Standard Time", () => {
    expect(isoToUpstream('2025-12-02 07:59:59')).toBe('2025-12-02 07:59:59');
    expect(isoToUpstream('2025-12-02')).toBe('2025-12-02 00:00:00');
  });

  it('refuses text that is not a time, including impossible calendar dates, instead of guessing', () => {
    expect(isoToUpstream('yesterday')).toBeUndefined();
    expect(isoToUpstream('2025-02-30 00:00:00')).toBeUndefined();
    expect(isoToUpstream('2025-13-01')).toBeUndefined();
  });

  it('round-trips with upstreamToIso', () => {
    for (const t of ['2025-12-02 07:59:59', '2000-01-01 00:00:00', '2030-06-30 23:59:59']) expect(isoToUpstream(upstreamToIso(t)!)).toBe(t);
  });
});
