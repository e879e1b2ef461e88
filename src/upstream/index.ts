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

/**
 * The settings `createUpstreamClient` takes; `Config.upstream` extends them, read from the
 * environment variables named below by src/config.ts.
 */
export interface UpstreamSettings {
  /**
   * `TENCENTCLOUD_SECRET_ID` + `TENCENTCLOUD_SECRET_KEY` (+ `TENCENTCLOUD_SESSION_TOKEN`).
   * Undefined when no SecretId is set (the dev entry point then starts the simulator).
   * @default undefined
   */
  readonly credentials?: Credentials;
  /** `TENCENTCLOUD_REGION`: sent as `X-TC-Region` to actions that use a region. @default undefined */
  readonly region?: string;
  /** `TENCENTCLOUD_SSL_ENDPOINT`: base URL of the SSL API. @default 'https://ssl.tencentcloudapi.com' */
  readonly endpoint: string;
  /** `TENCENTCLOUD_LANGUAGE` (`zh-CN` | `en-US`): sent as `X-TC-Language`. @default undefined */
  readonly language?: UpstreamLanguage;
  /** `UPSTREAM_CONNECT_TIMEOUT_MS`: TCP/TLS connect timeout. @default 3000 */
  readonly connectTimeoutMs: number;
  /** `UPSTREAM_REQUEST_TIMEOUT_MS`: whole request (send + headers + body) per attempt. @default 10000 */
  readonly requestTimeoutMs: number;
  /** `UPSTREAM_MAX_ATTEMPTS`: attempts per call, first one included (the retry budget). @default 3 */
  readonly maxAttempts: number;
  /** `UPSTREAM_RETRY_BASE_DELAY_MS`: full-jitter backoff base. @default 100 */
  readonly retryBaseDelayMs: number;
  /** `UPSTREAM_RETRY_MAX_DELAY_MS`: full-jitter backoff cap. @default 2000 */
  readonly retryMaxDelayMs: number;
  /** `UPSTREAM_MAX_CONNECTIONS`: keep-alive pool size. @default 16 */
  readonly maxConnections: number;
  /** `UPSTREAM_KEEPALIVE_TIMEOUT_MS`: idle time before a pooled socket is closed. @default 4000 */
  readonly keepAliveTimeoutMs: number;
  /** `RATE_LIMIT_MAX_WAIT_MS`: longest a call is queued by the rate limiter before RATE_LIMITED. @default 2000 */
  readonly rateLimitMaxWaitMs: number;
  /**
   * `RATE_LIMIT_OVERRIDES`: per-action calls per second replacing the documented limits,
   * e.g. `DescribeCertificates=5,ApplyCertificate=2`. @default {}
   */
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
