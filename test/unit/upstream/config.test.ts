import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SSL_ENDPOINT, loadConfig } from '../../../src/config';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('has documented defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toEqual({
      env: 'development',
      nodeEnv: 'development',
      port: 4000,
      simulatorPort: 4010,
      logLevel: 'info',
      redisUrl: undefined,
      redisKeyPrefix: 'ssl-gateway:',
      redisCommandTimeoutMs: 2000,
      auth: { mode: 'required', apiKeys: [] },
      graphqlLimits: { maxDepth: 12, maxAliases: 30, maxDirectives: 20, maxTokens: 5000, maxCost: 200, introspection: true },
      graphqlIntrospection: true,
      graphqlPlayground: true,
      publicDocs: true,
      corsAllowedOrigins: ['http://localhost:*', 'http://127.0.0.1:*'],
      maxBodyBytes: 1_048_576,
      functionTimeoutMs: 28_000,
      deadlineMarginMs: 1_000,
      idempotency: { ttlSeconds: 86_400, lockTtlMs: 60_000, waitTimeoutMs: 10_000, maxEntries: 10_000, maxEntriesPerCaller: 1_000, maxBytesPerCaller: 1_048_576, maxOutcomeBytes: 65_536 },
      cache: { ttlOverrides: {}, maxStaleSeconds: 30, memoryMaxBytes: 33_554_432, redisMaxEntryBytes: 262_144, redisTimeoutMs: 500, coalesceWaitMs: 3_000 },
      upstream: {
        credentials: undefined,
        region: undefined,
        endpoint: DEFAULT_SSL_ENDPOINT,
        language: undefined,
        connectTimeoutMs: 3000,
        requestTimeoutMs: 10000,
        maxAttempts: 3,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 2000,
        maxConnections: 16,
        keepAliveTimeoutMs: 4000,
        rateLimitMaxWaitMs: 2000,
        rateLimitOverrides: {},
        rateLimitRedisFallback: 'memory',
        rateLimitFallbackPercent: 50,
        rateLimitWindowGuardMs: 100,
        rateLimitFairShare: { callerWeights: {}, maxQueuedPerCaller: 20 },
      },
    });
    expect(DEFAULT_SSL_ENDPOINT).toBe('https://ssl.tencentcloudapi.com');
  });

  it('reads every variable', () => {
    const c = loadConfig({
      TENCENTCLOUD_SECRET_ID: 'AKIDabc',
      TENCENTCLOUD_SECRET_KEY: 'secret-key',
      TENCENTCLOUD_SESSION_TOKEN: 'token',
      TENCENTCLOUD_REGION: 'ap-guangzhou',
      TENCENTCLOUD_SSL_ENDPOINT: 'http://127.0.0.1:4010/',
      TENCENTCLOUD_LANGUAGE: 'en-US',
      PORT: '8080',
      SIMULATOR_PORT: '9090',
      UPSTREAM_CONNECT_TIMEOUT_MS: '1000',
      UPSTREAM_REQUEST_TIMEOUT_MS: '5000',
      UPSTREAM_MAX_ATTEMPTS: '5',
      UPSTREAM_RETRY_BASE_DELAY_MS: '50',
      UPSTREAM_RETRY_MAX_DELAY_MS: '500',
      UPSTREAM_MAX_CONNECTIONS: '4',
      UPSTREAM_KEEPALIVE_TIMEOUT_MS: '1000',
      RATE_LIMIT_MAX_WAIT_MS: '0',
      RATE_LIMIT_OVERRIDES: ' DescribeCertificates=5, ApplyCertificate = 2 ,CheckCertificateChain=0.5',
      REDIS_URL: 'redis://localhost:6379/0',
      LOG_LEVEL: 'debug',
      NODE_ENV: 'production',
    });
    expect(c.env).toBe('production');
    expect(c.port).toBe(8080);
    expect(c.simulatorPort).toBe(9090);
    expect(c.logLevel).toBe('debug');
    expect(c.redisUrl).toBe('redis://localhost:6379/0');
    expect(c.upstream.credentials).toEqual({ secretId: 'AKIDabc', secretKey: 'secret-key', sessionToken: 'token' });
    expect(c.upstream).toMatchObject({
      region: 'ap-guangzhou',
      endpoint: 'http://127.0.0.1:4010',
      language: 'en-US',
      connectTimeoutMs: 1000,
      requestTimeoutMs: 5000,
      maxAttempts: 5,
      retryBaseDelayMs: 50,
      retryMaxDelayMs: 500,
      maxConnections: 4,
      keepAliveTimeoutMs: 1000,
      rateLimitMaxWaitMs: 0,
      rateLimitOverrides: { DescribeCertificates: 5, ApplyCertificate: 2, CheckCertificateChain: 0.5 },
    });
  });

  it('reads fair-share settings: caller weights with opaque ids, per-caller queue and rate quotas', () => {
    const c = loadConfig({
      RATE_LIMIT_CALLER_WEIGHTS: 'key:abc=2, jwt:https://issuer.example#sub=1=0.5',
      RATE_LIMIT_CALLER_MAX_QUEUED: '5',
      RATE_LIMIT_CALLER_RATE: '3',
    });
    expect(c.upstream.rateLimitFairShare).toEqual({
      callerWeights: { 'key:abc': 2, 'jwt:https://issuer.example#sub=1': 0.5 },
      maxQueuedPerCaller: 5,
      callerRatePerSecond: 3,
    });
    expect(() => loadConfig({ RATE_LIMIT_CALLER_WEIGHTS: 'key:abc=0' })).toThrow(/RATE_LIMIT_CALLER_WEIGHTS/);
    expect(() => loadConfig({ RATE_LIMIT_CALLER_WEIGHTS: 'key:abc' })).toThrow(/RATE_LIMIT_CALLER_WEIGHTS/);
    expect(() => loadConfig({ RATE_LIMIT_CALLER_MAX_QUEUED: '0' })).toThrow(/RATE_LIMIT_CALLER_MAX_QUEUED/);
  });

  it('GATEWAY_ENV wins over NODE_ENV; test env is silent by default', () => {
    expect(loadConfig({ NODE_ENV: 'production', GATEWAY_ENV: 'staging' }).env).toBe('staging');
    expect(loadConfig({ NODE_ENV: 'test' })).toMatchObject({ env: 'test', logLevel: 'silent' });
  });

  it('reads the request deadline budget and margin, and refuses a margin that leaves no budget', () => {
    expect(loadConfig({ FUNCTION_TIMEOUT_MS: '2500', DEADLINE_MARGIN_MS: '500' })).toMatchObject({ functionTimeoutMs: 2500, deadlineMarginMs: 500 });
    const err = configError({ FUNCTION_TIMEOUT_MS: '2000', DEADLINE_MARGIN_MS: '2000' });
    expect(err.problems.map((p) => p.variable)).toEqual(['DEADLINE_MARGIN_MS']);
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig({ RATE_LIMIT_OVERRIDES: 'A=1', TENCENTCLOUD_SECRET_ID: 'id', TENCENTCLOUD_SECRET_KEY: 'k' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.upstream)).toBe(true);
    expect(Object.isFrozen(c.upstream.rateLimitOverrides)).toBe(true);
    expect(Object.isFrozen(c.upstream.credentials)).toBe(true);
  });

  it('names every malformed variable in one error', () => {
    const err = configError({
      PORT: 'eighty',
      SIMULATOR_PORT: '70000',
      UPSTREAM_MAX_ATTEMPTS: '0',
      UPSTREAM_REQUEST_TIMEOUT_MS: '-5',
      TENCENTCLOUD_SSL_ENDPOINT: 'ssl.tencentcloudapi.com',
      TENCENTCLOUD_REGION: 'Guangzhou',
      TENCENTCLOUD_LANGUAGE: 'fr-FR',
      RATE_LIMIT_OVERRIDES: 'DescribeCertificates=fast',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'http://x',
      GATEWAY_ENV: 'prod',
    });
    expect(err.variables.sort()).toEqual(
      [
        'GATEWAY_ENV',
        'LOG_LEVEL',
        'PORT',
        'RATE_LIMIT_OVERRIDES',
        'REDIS_URL',
        'SIMULATOR_PORT',
        'TENCENTCLOUD_LANGUAGE',
        'TENCENTCLOUD_REGION',
        'TENCENTCLOUD_SSL_ENDPOINT',
        'UPSTREAM_MAX_ATTEMPTS',
        'UPSTREAM_REQUEST_TIMEOUT_MS',
      ].sort(),
    );
    for (const v of err.variables) expect(err.message).toContain(v);
  });

  it.each([
    ['A=1,A=2', /listed twice/],
    ['A=0', /bad item "A=0"/],
    ['A', /bad item "A"/],
    ['=3', /bad item "=3"/],
  ])('rejects RATE_LIMIT_OVERRIDES=%s', (value, message) => {
    expect(configError({ RATE_LIMIT_OVERRIDES: value }).message).toMatch(message);
  });

  it('requires the secret id and key together and never echoes secrets', () => {
    expect(configError({ TENCENTCLOUD_SECRET_ID: 'AKIDonly' }).variables).toEqual(['TENCENTCLOUD_SECRET_KEY']);
    expect(configError({ TENCENTCLOUD_SECRET_KEY: 'lonely-secret' }).variables).toEqual(['TENCENTCLOUD_SECRET_ID']);
    const err = configError({ TENCENTCLOUD_SECRET_ID: 'AKIDx', TENCENTCLOUD_SECRET_KEY: ' padded-secret-value ' });
    expect(err.variables).toEqual(['TENCENTCLOUD_SECRET_KEY']);
    expect(err.message).not.toContain('padded-secret-value');
    const redis = configError({ REDIS_URL: 'http://user:hunter2@host' });
    expect(redis.message).not.toContain('hunter2');
  });

  it('redacts the secret key and token when the config is serialized or inspected', () => {
    const c = loadConfig({ TENCENTCLOUD_SECRET_ID: 'AKIDvisible', TENCENTCLOUD_SECRET_KEY: 'sk-hidden', TENCENTCLOUD_SESSION_TOKEN: 'tok-hidden' });
    const json = JSON.stringify(c);
    const shown = inspect(c, { depth: 10 });
    for (const text of [json, shown]) {
      expect(text).toContain('AKIDvisible');
      expect(text).not.toContain('sk-hidden');
      expect(text).not.toContain('tok-hidden');
    }
    // still usable by code
    expect(c.upstream.credentials?.secretKey).toBe('sk-hidden');
    expect({ ...c.upstream.credentials }.secretKey).toBe('sk-hidden');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', TENCENTCLOUD_SECRET_ID: '', TENCENTCLOUD_SECRET_KEY: '', TENCENTCLOUD_REGION: '  ' })).toMatchObject({
      port: 4000,
      upstream: { credentials: undefined, region: undefined },
    });
  });
});
