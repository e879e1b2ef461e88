/**
 * The account the gateway signs upstream calls for. Declared by the upstream layer, which uses
 * it; `src/config.ts` reads it from the environment.
 */
export type UpstreamLanguage = 'zh-CN' | 'en-US';

/** Upstream credentials. `toJSON`/inspect redact the secret parts, so logging a config is safe. */
export interface Credentials {
  /** `TENCENTCLOUD_SECRET_ID` */
  readonly secretId: string;
  /** `TENCENTCLOUD_SECRET_KEY` */
  readonly secretKey: string;
  /** `TENCENTCLOUD_SESSION_TOKEN`, for temporary credentials (sent as `X-TC-Token`). */
  readonly sessionToken?: string;
}
