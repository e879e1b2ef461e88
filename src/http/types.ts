/**
 * The gateway's transport-neutral request/response shapes. Lambda adapters (API Gateway v1/v2,
 * ALB) and the local node:http server convert to and from these, so the REST facade and the
 * guards see one shape whatever carried the request.
 */
export interface GatewayRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/actions/DescribeCertificates`. */
  path: string;
  query: Record<string, string | undefined>;
  /**
   * Query names that occurred more than once; `query` then holds all their values joined with
   * commas (as API Gateway v2's `queryStringParameters`). The surfaces refuse repeats.
   */
  queryRepeats?: readonly string[];
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  /** Raw body bytes (already base64-decoded by the adapter), or undefined. */
  body?: Buffer;
  /** Id for logs and error bodies (from the platform when available). */
  requestId: string;
  sourceIp?: string;
}

export interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type GatewayHandler = (req: GatewayRequest) => Promise<GatewayResponse>;

/** A `GatewayResponse` whose body may be base64 (compressed or binary assets). */
export type GatewayResult = GatewayResponse & { isBase64Encoded?: boolean };

/**
 * What the platform tells a handler about the invocation: the Lambda context's request id and
 * remaining time (the local server passes an equivalent). The request deadline derives from it.
 */
export interface InvocationContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

/** One surface of the gateway, transport-neutral. */
export type SurfaceHandler = (req: GatewayRequest, invocation?: InvocationContext) => Promise<GatewayResult>;

/** The two surfaces: GraphQL (with its playground) and REST (with `/healthz`). */
export type Surface = 'graphql' | 'rest';
