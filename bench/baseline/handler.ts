/**
 * Baseline for bench/bundle.ts: the smallest reasonable Lambda GraphQL handler over the SSL API,
 * written the textbook way: Apollo Server 5 + @as-integrations/aws-lambda + the official
 * tencentcloud-sdk-nodejs SslClient, one `certificates` query calling `DescribeCertificates`.
 * No authentication, batching, pacing, retries policy, typed errors, playground or REST surface:
 * it is what the gateway's size and cold start are measured against, not a competitor.
 *
 * Environment: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SSL_ENDPOINT
 * (default https://ssl.tencentcloudapi.com). An `http://host:port` endpoint (the simulator) is
 * reached through an http.Agent that dials that port while the SDK keeps the endpoint
 * `ssl.tencentcloudapi.com` (it derives the signing service from the endpoint's first label).
 */
import http from 'node:http';
import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import { Client as SslClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/ssl/v20191205/ssl_client';

const SSL_HOST = 'ssl.tencentcloudapi.com';

function createClient(): SslClient {
  const endpoint = new URL(process.env.TENCENTCLOUD_SSL_ENDPOINT || `https://${SSL_HOST}`);
  const credential = { secretId: process.env.TENCENTCLOUD_SECRET_ID, secretKey: process.env.TENCENTCLOUD_SECRET_KEY };
  if (endpoint.protocol === 'http:') {
    const agent = new http.Agent({ keepAlive: true });
    const port = Number(endpoint.port || 80);
    agent.createConnection = (() => net.connect({ host: endpoint.hostname, port })) as typeof agent.createConnection;
    return new SslClient({ credential, region: '', profile: { httpProfile: { endpoint: SSL_HOST, protocol: 'http://', agent, reqTimeout: 10 } } });
  }
  return new SslClient({ credential, region: '', profile: { httpProfile: { endpoint: endpoint.host, reqTimeout: 10 } } });
}

const client = createClient();

const typeDefs = /* GraphQL */ `
  type Certificate {
    certificateId: ID!
    domain: String
    alias: String
    status: Int
    statusName: String
    certBeginTime: String
    certEndTime: String
    insertTime: String
  }
  type CertificateList {
    totalCount: Int!
    certificates: [Certificate!]!
  }
  type Query {
    certificates(limit: Int = 20, offset: Int = 0, searchKey: String): CertificateList!
  }
`;

const resolvers = {
  Query: {
    async certificates(_: unknown, args: { limit: number; offset: number; searchKey?: string }) {
      const res = await client.DescribeCertificates({ Limit: args.limit, Offset: args.offset, SearchKey: args.searchKey });
      return {
        totalCount: res.TotalCount ?? 0,
        certificates: (res.Certificates ?? []).map((c) => ({
          certificateId: c.CertificateId,
          domain: c.Domain,
          alias: c.Alias,
          status: c.Status,
          statusName: c.StatusName,
          certBeginTime: c.CertBeginTime,
          certEndTime: c.CertEndTime,
          insertTime: c.InsertTime,
        })),
      };
    },
  },
};

const server = new ApolloServer({ typeDefs, resolvers });

export const handler = startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler());
