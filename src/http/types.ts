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
