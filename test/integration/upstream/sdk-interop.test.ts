/**
 * Interop: requests made by the official tencentcloud-sdk-nodejs pass the test verifier
 * (test/helpers/tc3-verify.ts), and our client's requests are verified by the same function.
 *
 * The SDK derives the credential-scope service from the first label of its endpoint, so it keeps
 * the endpoint `ssl.tencentcloudapi.com` (plain http) and reaches the loopback test server
 * through an `http.Agent` whose `createConnection` dials 127.0.0.1:PORT.
 */
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpstreamClient } from '../../../src/upstream/client';
import { createPolicyLookup } from '../../../src/upstream/policy';
import { unlimited } from '../../../src/upstream/ratelimit';
import { parseAuthorization } from '../../../src/upstream/sign';
import { SECRET_ID, SECRET_KEY, ok, startServer, verified, type TestServer } from '../../unit/upstream/helpers';

interface SdkClient {
  request(action: string, req: Record<string, unknown>): Promise<Record<string, unknown>>;
}
type SdkClientCtor = new (
  endpoint: string,
  version: string,
  opts: {
    credential: { secretId: string; secretKey: string; token?: string };
    region?: string;
    profile: { httpProfile: { protocol: string; endpoint: string; agent: Agent; reqTimeout?: number } };
  },
) => SdkClient;

const requireCjs = createRequire(import.meta.url);
const { CommonClient } = requireCjs('tencentcloud-sdk-nodejs/tencentcloud/common/common_client.js') as { CommonClient: SdkClientCtor };

let server: TestServer;
let agent: Agent;

beforeEach(async () => {
  server = await startServer();
  agent = new Agent({ keepAlive: false });
  (agent as unknown as { createConnection: typeof connect }).createConnection = ((...args: unknown[]) => {
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    return connect(server.port, '127.0.0.1', cb);
  }) as unknown as typeof connect;
});
afterEach(async () => {
  agent.destroy();
  await server.close();
});

function sdk(region?: string, token?: string): SdkClient {
  return new CommonClient('ssl.tencentcloudapi.com', '2019-12-05', {
    credential: { secretId: SECRET_ID, secretKey: SECRET_KEY, token },
    region,
    profile: { httpProfile: { protocol: 'http://', endpoint: 'ssl.tencentcloudapi.com', agent, reqTimeout: 10 } },
  });
}

describe('official SDK -> verifySignature', () => {
  it('accepts the SDK signature (content-type;host) and answers it', async () => {
    server.respond(verified(ok({ TotalCount: 0, Certificates: [] })));
    const res = await sdk().request('DescribeCertificates', { Limit: 1, SearchKey: '未命名' });
    expect(res).toMatchObject({ TotalCount: 0, Certificates: [] });
    const req = server.requests[0];
    expect(req.verify).toMatchObject({ ok: true, secretId: SECRET_ID });
    expect(req.headers.host).toBe('ssl.tencentcloudapi.com');
    expect(parseAuthorization(req.headers.authorization)?.signedHeaders).toEqual(['content-type', 'host']);
  });

  it('accepts SDK requests with region and session token', async () => {
    server.respond(verified(ok()));
    await sdk('ap-guangzhou', 'sts-token').request('DeployCertificateInstance', { CertificateId: 'c', InstanceIdList: ['i'] });
    const req = server.requests[0];
    expect(req.verify.ok).toBe(true);
    expect(req.headers['x-tc-region']).toBe('ap-guangzhou');
    expect(req.headers['x-tc-token']).toBe('sts-token');
  });

  it('rejects an SDK request signed with another key', async () => {
    server.respond(verified(ok()));
    const other = new CommonClient('ssl.tencentcloudapi.com', '2019-12-05', {
      credential: { secretId: SECRET_ID, secretKey: 'not-the-key' },
      profile: { httpProfile: { protocol: 'http://', endpoint: 'ssl.tencentcloudapi.com', agent, reqTimeout: 10 } },
    });
    await expect(other.request('DescribeCertificates', {})).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
  });
});

describe('UpstreamClient -> verifySignature', () => {
  it('our requests (content-type;host;x-tc-action, host with port) verify', async () => {
    server.respond(verified(ok({ TotalCount: 2 })));
    const client = new UpstreamClient({
      endpoint: server.endpoint,
      credentials: { secretId: SECRET_ID, secretKey: SECRET_KEY },
      policies: createPolicyLookup({ DescribeCertificates: { rateLimit: 10, region: 'none', kind: 'read' } }),
      limiter: unlimited,
    });
    try {
      expect((await client.call('DescribeCertificates', { Limit: 2 })).TotalCount).toBe(2);
      expect(server.requests[0].verify.ok).toBe(true);
    } finally {
      await client.close();
    }
  });
});
