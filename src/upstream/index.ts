/**
 * Public surface of the upstream layer: signer, error model, rate limiter, client, and a factory
 * wiring them from `Config` and the extracted spec.
 */
import type { Credentials, UpstreamLanguage } from './credentials';
import { UpstreamClient, type UpstreamClientOptions } from './client';
import { specPolicyLookup } from './spec-policy';
import type { FairShareOptions } from './ratelimit';

export * from './errors';
export * from './sign';
export * from './policy';
export * from './ratelimit';
export * from './client';
export { specPolicies, specPolicyLookup } from './spec-policy';

export type { Credentials, UpstreamLanguage };

/** The settings `createUpstreamClient` takes (`Config.upstream` has this shape). */
export interface UpstreamSettings {
  readonly credentials?: Credentials;
  readonly region?: string;
  readonly endpoint: string;
  readonly language?: UpstreamLanguage;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxConnections: number;
  readonly keepAliveTimeoutMs: number;
  readonly rateLimitMaxWaitMs: number;
  /** Calls per second by action, replacing the documented ones. */
  readonly rateLimitOverrides: Readonly<Record<string, number>>;
  /** Fair shares of the default limiter (weights, per-caller quotas). @default defaults of `FairShareOptions` */
  readonly rateLimitFairShare?: FairShareOptions;
}

/**
 * An `UpstreamClient` configured from `settings` (`config.upstream`), with the spec's per-action
 * policies (rate limits with `RATE_LIMIT_OVERRIDES` applied, region use, read/write kind).
 * `overrides` replaces any option (e.g. a shared `limiter`, `onCall`, a test `dispatcher`).
 */
export function createUpstreamClient(up: UpstreamSettings, overrides: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const credentials = overrides.credentials ?? up.credentials;
  if (credentials === undefined) {
    throw new Error('No upstream credentials: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (or use the simulator)');
  }
  return new UpstreamClient({
    endpoint: up.endpoint,
    region: up.region,
    language: up.language,
    connectTimeoutMs: up.connectTimeoutMs,
    requestTimeoutMs: up.requestTimeoutMs,
    maxConnections: up.maxConnections,
    keepAliveTimeoutMs: up.keepAliveTimeoutMs,
    maxAttempts: up.maxAttempts,
    retryBaseDelayMs: up.retryBaseDelayMs,
    retryMaxDelayMs: up.retryMaxDelayMs,
    rateLimitMaxWaitMs: up.rateLimitMaxWaitMs,
    fairShare: up.rateLimitFairShare,
    ...overrides,
    policies: overrides.policies ?? specPolicyLookup(up.rateLimitOverrides),
    credentials,
  });
}
