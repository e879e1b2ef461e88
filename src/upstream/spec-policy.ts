/**
 * The default `ActionPolicyLookup`: rate limits, region use and read/write kind of each action
 * as extracted into `spec/ssl-2019-12-05.json`, with optional per-action rate overrides.
 */
import { spec } from '../spec';
import { createPolicyLookup, type ActionPolicy, type ActionPolicyLookup } from './policy';

/** The spec's action table reduced to policies. */
export function specPolicies(): Record<string, ActionPolicy> {
  const table: Record<string, ActionPolicy> = {};
  for (const [name, action] of Object.entries(spec.actions)) {
    table[name] = { rateLimit: action.rateLimit, region: action.region, kind: action.kind };
  }
  return table;
}

export function specPolicyLookup(rateLimitOverrides: Readonly<Record<string, number>> = {}): ActionPolicyLookup {
  return createPolicyLookup(specPolicies(), { rateLimitOverrides });
}
