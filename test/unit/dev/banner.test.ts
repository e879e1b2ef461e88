/**
 * `npm start`'s start-up text: the "Try:" command carries the header the gateway accepts, with
 * the demo key, or a placeholder to replace when keys (or JWTs) are configured.
 */
import { describe, expect, it } from 'vitest';
import { createDemoApiKey, formatApiKeys } from '../../../src/auth';
import { gatewaySettings } from '../../../src/app';
import { loadConfig, type Config } from '../../../src/config';
import { startupBanner } from '../../../src/dev/banner';

function banner(config: Config, demoApiKey?: string): string {
  const server = { url: 'http://127.0.0.1:4000', gateway: { settings: gatewaySettings(config) } as never, demoApiKey };
  return startupBanner(server, config);
}

const tryLine = (text: string): string => text.split('\n').find((l) => l.includes('curl -s'))!;

describe('start-up banner', () => {
  it('shows the key header with a placeholder in the Try command when API keys are configured', () => {
    const config = loadConfig({ GATEWAY_API_KEYS: formatApiKeys([createDemoApiKey({ id: 'k' }).entry]) });
    const text = banner(config);
    expect(tryLine(text)).toContain(`-H 'x-api-key: <your key>'`);
    expect(text).toContain(`send 'x-api-key: <your key>'`);
  });

  it('shows a bearer token placeholder when only JWTs are configured', () => {
    const config = loadConfig({ GATEWAY_JWT_ISSUER: 'https://idp.example.test/', GATEWAY_JWT_AUDIENCE: 'ssl-gateway', GATEWAY_JWT_JWKS_URL: 'https://idp.example.test/jwks.json' });
    expect(tryLine(banner(config))).toContain(`-H 'authorization: Bearer <your token>'`);
  });

  it('shows the demo key itself when npm start made one', () => {
    const text = banner(loadConfig({}), 'sslgw_demo');
    expect(tryLine(text)).toContain(`-H 'x-api-key: sslgw_demo'`);
  });

  it('sends no credential header when authentication is disabled', () => {
    expect(tryLine(banner(loadConfig({ GATEWAY_AUTH: 'disabled' })))).not.toMatch(/x-api-key|authorization/i);
  });

  it('names the API reference and whether it needs a key', () => {
    expect(banner(loadConfig({}))).toContain('http://127.0.0.1:4000/v1/docs  (OpenAPI: http://127.0.0.1:4000/v1/openapi.json, no key needed)');
    expect(banner(loadConfig({ PUBLIC_DOCS: 'false' }))).toContain('key needed: PUBLIC_DOCS=false');
  });
});
