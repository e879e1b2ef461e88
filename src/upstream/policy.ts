/**
 * Per-action facts the upstream client and the rate limiter need, injected as a lookup function
 * so they never import the spec directly (see `spec-policy.ts` for the default built from
 * `src/spec`).
 */
import type { RegionUse } from '../spec/types';

export type ActionKind = 'read' | 'write';

export interface ActionPolicy {
  /** Calls per second per account (after overrides). */
  readonly rateLimit: number;
  /** Whether the action uses the common parameter Region. */
  readonly region: RegionUse;
  /** `read` actions may be retried when the outcome is unknown; `write` actions may not. */
  readonly kind: ActionKind;
}

/** `undefined` means "unknown action". */
export type ActionPolicyLookup = (action: string) => ActionPolicy | undefined;

export interface PolicyLookupOptions {
  /** Calls per second by action name, replacing the table's `rateLimit`. */
  rateLimitOverrides?: Readonly<Record<string, number>>;
  /** Policy for actions missing from the table; by default they are unknown. */
  fallback?: ActionPolicy;
}

function assertRate(action: string, rate: number): void {
  if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`rate limit for ${action} must be a positive number, got ${rate}`);
}

/**
 * Builds a lookup from a table. Overrides for actions absent from the table (and with no
 * fallback) are rejected, so a typo in `RATE_LIMIT_OVERRIDES` fails loudly.
 */
export function createPolicyLookup(
  table: Readonly<Record<string, ActionPolicy>>,
  options: PolicyLookupOptions = {},
): ActionPolicyLookup {
  const overrides = options.rateLimitOverrides ?? {};
  const resolved = new Map<string, ActionPolicy>();
  for (const [action, policy] of Object.entries(table)) {
    const rateLimit = overrides[action] ?? policy.rateLimit;
    assertRate(action, rateLimit);
    resolved.set(action, Object.freeze({ rateLimit, region: policy.region, kind: policy.kind }));
  }
  for (const [action, rate] of Object.entries(overrides)) {
    assertRate(action, rate);
    if (resolved.has(action)) continue;
    if (options.fallback === undefined) throw new Error(`RATE_LIMIT_OVERRIDES names an unknown action: ${action}`);
    resolved.set(action, Object.freeze({ ...options.fallback, rateLimit: rate }));
  }
  const fallback = options.fallback === undefined ? undefined : Object.freeze({ ...options.fallback });
  return (action) => resolved.get(action) ?? fallback;
}
