import { describe, expect, it } from 'vitest';
import { backoffDelay, fullJitterDelay } from '../../../src/time/backoff';

describe('backoff: the one formula of the gateway\'s growing pauses', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 500, 3_000))).toEqual([500, 1_000, 2_000, 3_000, 3_000, 3_000]);
  });

  it('stays finite and capped for any step (a long wait or a Redis down for hours)', () => {
    expect(backoffDelay(10_000, 50, 2_000)).toBe(2_000);
    expect(backoffDelay(0, 50, 2_000)).toBe(50);
  });

  it('full jitter draws whole milliseconds in [0, the step)', () => {
    expect(fullJitterDelay(3, 100, 2_000, () => 0)).toBe(0);
    expect(fullJitterDelay(3, 100, 2_000, () => 0.999)).toBe(399);
    expect(fullJitterDelay(9, 100, 250, () => 0.5)).toBe(125);
  });
});
