/**
 * A small keep-alive HTTP client for the e2e fault and soak suites (node:http: cheaper than fetch
 * for tens of thousands of loopback requests, and it sends exactly the headers given).
 */
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface HttpRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpAnswer>;
  /**
   * Closes the idle pooled connections. Call it after a pause in the load that may approach the
   * server's keep-alive timeout: reusing a socket the server is closing would fail the next
   * request with ECONNRESET, a client-side race that says nothing about the gateway.
   */
  dropIdle(): void;
  close(): void;
}

/** A client for `baseUrl` with at most `maxSockets` connections; each request fails after `timeoutMs`. */
export function createHttpClient(baseUrl: string, options: { maxSockets: number; timeoutMs: number }): HttpClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 1000 });
  return {
    request(req) {
      return new Promise<HttpAnswer>((resolve, reject) => {
        const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
        const headers: Record<string, string> = { ...(req.headers ?? {}) };
        if (body !== undefined) headers['content-length'] = String(body.length);
        const r = http.request(
          { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        r.setTimeout(options.timeoutMs, () => r.destroy(new Error(`no answer within ${options.timeoutMs} ms: ${req.method} ${req.path}`)));
        r.on('error', reject);
        r.end(body);
      });
    },
    dropIdle() {
      for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    },
    close() {
      agent.destroy();
    },
  };
}
