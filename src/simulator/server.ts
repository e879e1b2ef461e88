/**
 * The SSL API simulator: a node:http server that behaves like `ssl.tencentcloudapi.com` for the
 * 2019-12-05 API, embeddable in-process (port 0 on 127.0.0.1) or run alone (`npm run simulator`).
 *
 * Request pipeline (POST / with a JSON body, signature v3):
 *   1. method (POST; anything else → UnsupportedProtocol)
 *   2. TC3-HMAC-SHA256 verification on the raw bytes and headers (tc3.ts)
 *   3. X-TC-Version (MissingParameter / NoSuchVersion), X-TC-Action (MissingParameter / InvalidAction)
 *   4. the call is counted and logged, due state transitions are applied
 *   5. faults with phase `before` (latency, reset, http, InternalError, RequestLimitExceeded, ...)
 *   6. per-action, per-account token bucket from the spec's rate limit → RequestLimitExceeded
 *   7. Content-Type, JSON body, X-TC-Region, parameters validated against the spec
 *   8. the action handler (state change), output completed to the documented shape
 *   9. faults with phase `after` (the state change is kept), then the response
 * Every response is HTTP 200 with `{"Response":{...,"RequestId"}}` and a `Date` header, except
 * injected HTTP faults. Admin endpoints live under `/__simulator/` (see handleAdmin).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { actionNames, getAction, spec } from '../spec/index';
import { coverage, handlers } from './actions/index';
import { certificateZip } from './actions/certificates';
import { CallRecorder, type CallRecord } from './calls';
import { ApiError, errorEnvelope, successEnvelope } from './errors';
import { FaultController, parseFaultEnv, type ActiveFault, type FaultSpec } from './faults';
import { RateLimiter } from './ratelimit';
import { seedDemoData } from './seed';
import { completeOutput, ShapeError } from './shape';
import { SimState, type TaskDurations } from './state';
import { headerValue, verifyTc3, type SimCredential } from './tc3';
import { formatTime } from './time';
import { validateParams } from './validate';

export type { SimCredential } from './tc3';
export type { FaultSpec, FaultKind, ActiveFault } from './faults';
export type { TaskDurations } from './state';

/** Demo credentials used when none are configured (`npm start` without TENCENTCLOUD_SECRET_ID). */
export const DEMO_CREDENTIAL: Readonly<SimCredential> = Object.freeze({
  secretId: 'sim-demo-secret-id',
  secretKey: 'sim-demo-secret-key',
});

export const DEFAULT_OWNER_UIN = '100000000001';

/** Regions listed in the documentation's region table (the spec does not carry them). */
export const DOCUMENTED_REGIONS: readonly string[] = [
  'ap-bangkok',
  'ap-beijing',
  'ap-chengdu',
  'ap-chongqing',
  'ap-guangzhou',
  'ap-hongkong',
  'ap-jakarta',
  'ap-nanjing',
  'ap-seoul',
  'ap-shanghai',
  'ap-shanghai-fsi',
  'ap-shenzhen-fsi',
  'ap-singapore',
  'ap-tokyo',
  'eu-frankfurt',
  'na-ashburn',
  'na-siliconvalley',
  'sa-saopaulo',
];

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const COMMON_CODES = new Set(spec.commonErrors.map((e) => e.code));

/** Whether an error code is documented for the action or on the error-code page. */
function documentedCode(actionErrors: readonly { code: string }[], code: string): boolean {
  return COMMON_CODES.has(code) || actionErrors.some((e) => e.code === code);
}
const SERVICE = spec.service;
const VERSION = spec.version;

export interface SimulatorOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Accepted key pairs (default: DEMO_CREDENTIAL). A pair with `token` is a temporary credential. */
  credentials?: SimCredential[];
  /** Wall clock in ms (default Date.now); used for signatures, rate limits and as the base of business time. */
  clock?: () => number;
  /** Durations (ms of business time) of the asynchronous transitions. */
  durations?: Partial<TaskDurations>;
  /** Seed demo data (default true). */
  demoData?: boolean;
  /** Seed for ids and demo data (default 20191205). */
  seed?: number;
  /** Initial faults: specs, or a SIMULATOR_FAULTS string. */
  faults?: FaultSpec[] | string;
  /** Seed of the RNG used by probabilistic faults (default 1). */
  faultSeed?: number;
  /** Initial server clock offset in seconds. */
  clockSkewSeconds?: number;
  /** false disables rate limiting; an object overrides limits (calls/s) per action. */
  rateLimits?: boolean | Record<string, number>;
  /** Throw (→ InternalError) when a handler returns members or types the spec does not document. */
  strictShapes?: boolean;
  /** Allowed |X-TC-Timestamp − server time| in seconds (default 300). */
  maxSkewSeconds?: number;
  /** Serve the /__simulator/ admin endpoints (default true). */
  admin?: boolean;
  /** Account (OwnerUin) of the demo data and of credentials without `uin`. */
  ownerUin?: string;
  /** Max free DV certificates (FailedOperation.ExceedsFreeLimit), default 50. */
  freeCertLimit?: number;
  /** Base URL used in download links (default: the listening URL). */
  publicUrl?: string;
  /** Diagnostic output (unexpected errors). Default: none. */
  log?: (line: string) => void;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  host: string;
  credentials: SimCredential[];
  state: SimState;
  faults: FaultController;
  calls: CallRecorder;
  /** Moves business time forward (tasks, issuance, expiry); returns the new business time. */
  advance(ms: number): number;
  /** Clears counters, call log, faults, clock skew and rate-limit buckets; with `state: true` also re-seeds the state. */
  reset(opts?: { state?: boolean }): void;
  /** Effective rate limit (calls/s) of an action. */
  rateLimit(action: string): number;
  close(): Promise<void>;
}

interface ReadBody {
  body: Buffer;
  tooLarge: boolean;
}

function readBody(req: IncomingMessage): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function httpFaultPage(status: number): string {
  const titles: Record<number, string> = {
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Temporarily Unavailable',
    504: 'Gateway Time-out',
    429: 'Too Many Requests',
  };
  const title = `${status} ${titles[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const ownerUin = options.ownerUin ?? DEFAULT_OWNER_UIN;
  const credentials = (options.credentials?.length ? options.credentials : [DEMO_CREDENTIAL]).map((c) => ({ ...c, uin: c.uin ?? ownerUin }));
  const bySecretId = new Map(credentials.map((c) => [c.secretId, c]));
  const maxSkew = options.maxSkewSeconds ?? 300;
  const strict = options.strictShapes ?? false;
  const log = options.log ?? (() => {});
  const admin = options.admin ?? true;

  const { missing, extra } = coverage(actionNames);
  if (missing.length || extra.length) {
    throw new Error(`simulator handlers out of sync with the spec: missing ${missing.join(', ') || '-'}; extra ${extra.join(', ') || '-'}`);
  }

  const seedData = options.demoData === false ? undefined : seedDemoData;
  const state = new SimState(
    {
      clock,
      seed: options.seed ?? 20191205,
      demoData: options.demoData ?? true,
      durations: options.durations ?? {},
      ownerUin,
      freeCertLimit: options.freeCertLimit ?? 50,
    },
    seedData,
  );
  const faults = new FaultController(options.faultSeed ?? 1);
  const applyFaultConfig = (): void => {
    if (typeof options.faults === 'string') {
      const parsed = parseFaultEnv(options.faults);
      if (parsed.seed !== undefined) faults.seed(parsed.seed);
      if (parsed.clockSkewSeconds !== undefined) faults.setClockSkew(parsed.clockSkewSeconds);
      parsed.faults.forEach((f) => faults.add(f));
    } else {
      (options.faults ?? []).forEach((f) => faults.add(f));
    }
    if (options.clockSkewSeconds !== undefined) faults.setClockSkew(options.clockSkewSeconds);
  };
  applyFaultConfig();
  const calls = new CallRecorder();
  const limiter = new RateLimiter();

  const rateLimit = (action: string): number => {
    if (options.rateLimits === false) return 0;
    if (typeof options.rateLimits === 'object' && options.rateLimits[action] !== undefined) return options.rateLimits[action];
    return getAction(action)?.rateLimit ?? 10;
  };
  const serverNowMs = (): number => clock() + faults.clockSkewSeconds * 1000;

  let baseUrl = '';

  const send = (res: ServerResponse, status: number, body: string | Buffer, contentType = 'application/json'): void => {
    if (res.destroyed) return;
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      Date: new Date(serverNowMs()).toUTCString(),
    });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, payload: unknown, status = 200): void => send(res, status, JSON.stringify(payload));
  const sendError = (res: ServerResponse, code: string, message: string, requestId: string): void =>
    sendJson(res, errorEnvelope(code, message, requestId));
  const reset = (socket: Socket): void => {
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  };

  /** Applies a terminal fault; returns true when the response was handled. */
  const applyTerminalFault = (
    fault: ActiveFault,
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    record: CallRecord,
    realBody?: string,
  ): boolean => {
    record.outcome = `fault:${fault.kind}${fault.phase === 'after' ? ':after' : ''}`;
    switch (fault.kind) {
      case 'reset':
        reset(req.socket);
        return true;
      case 'http':
        send(res, fault.status ?? 503, httpFaultPage(fault.status ?? 503), 'text/html');
        return true;
      case 'internalError':
        sendError(res, fault.code ?? 'InternalError', fault.message ?? 'An internal error has occurred. Retry your request, but if the problem persists, contact us.', requestId);
        return true;
      case 'rateLimit':
        sendError(res, fault.code ?? 'RequestLimitExceeded', fault.message ?? 'Your current request times exceeds the frequency limit. Please reduce the frequency of calls.', requestId);
        return true;
      case 'error':
        sendError(res, fault.code ?? 'FailedOperation', fault.message ?? 'Injected error.', requestId);
        return true;
      case 'malformed': {
        const full = realBody ?? JSON.stringify(errorEnvelope('InternalError', 'placeholder', requestId));
        const flavor = fault.body ?? 'truncated';
        if (flavor === 'html') send(res, 200, httpFaultPage(502), 'text/html');
        else if (flavor === 'empty') send(res, 200, '');
        else if (flavor === 'not-json') send(res, 200, 'upstream sent an invalid response\n');
        else send(res, 200, full.slice(0, Math.max(1, Math.floor(full.length / 2))));
        return true;
      }
      default:
        return false;
    }
  };

  const runFaults = async (
    action: string,
    phase: 'before' | 'after',
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    record: CallRecord,
    realBody?: string,
  ): Promise<boolean> => {
    for (const fault of faults.take(action, phase)) {
      if (fault.kind === 'latency') {
        await sleep(fault.ms ?? 0);
        continue;
      }
      return applyTerminalFault(fault, req, res, requestId, record, realBody);
    }
    return false;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, path: string, query: string, body: Buffer, requestId: string): Promise<void> => {
    const method = (req.method ?? '').toUpperCase();
    if (method !== 'POST') {
      sendError(res, 'UnsupportedProtocol', `The HTTP method \`${method}\` is not supported by this simulator; use POST with application/json and signature v3.`, requestId);
      return;
    }
    const auth = verifyTc3(
      { method, path, query, rawHeaders: req.rawHeaders, body },
      { service: SERVICE, nowSeconds: Math.floor(serverNowMs() / 1000), maxSkewSeconds: maxSkew, lookup: (id) => bySecretId.get(id) },
    );
    if (!auth.ok) {
      sendError(res, auth.code, auth.message, requestId);
      return;
    }
    const version = headerValue(req.rawHeaders, 'x-tc-version')?.trim();
    if (!version) return sendError(res, 'MissingParameter', 'The request is missing a required parameter `Version`.', requestId);
    if (version !== VERSION) return sendError(res, 'NoSuchVersion', `The requested version \`${version}\` of service \`${SERVICE}\` does not exist.`, requestId);
    const action = headerValue(req.rawHeaders, 'x-tc-action')?.trim();
    if (!action) return sendError(res, 'MissingParameter', 'The request is missing a required parameter `Action`.', requestId);
    const actionSpec = getAction(action);
    if (!actionSpec) return sendError(res, 'InvalidAction', `The action \`${action}\` is not valid for this version (${VERSION}).`, requestId);

    let params: unknown;
    let bodyError: string | undefined;
    try {
      params = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      bodyError = 'The request body is not valid JSON.';
    }
    const region = headerValue(req.rawHeaders, 'x-tc-region')?.trim() || undefined;
    const record = calls.record({
      at: clock(),
      action,
      params: params && typeof params === 'object' && !Array.isArray(params) ? (structuredClone(params) as Record<string, unknown>) : undefined,
      requestId,
      secretId: auth.credential.secretId,
      region,
    });
    state.tick();

    if (await runFaults(action, 'before', req, res, requestId, record)) return;

    const limit = rateLimit(action);
    if (limit > 0 && !limiter.take(`${auth.credential.uin}|${action}`, limit, clock())) {
      record.outcome = 'RequestLimitExceeded';
      return sendError(
        res,
        'RequestLimitExceeded',
        `Your current request times exceeds the frequency limit \`${limit}\` per second of action \`${action}\`. Please reduce the frequency of calls.`,
        requestId,
      );
    }

    let result: Record<string, unknown>;
    try {
      const contentType = (headerValue(req.rawHeaders, 'content-type') ?? '').toLowerCase();
      if (!/^application\/json\s*(;|$)/.test(contentType)) {
        throw new ApiError('InvalidParameter', `Content-Type \`${contentType}\` is not supported with signature v3 on this simulator; use application/json.`);
      }
      if (bodyError) throw new ApiError('InvalidParameter', bodyError);
      if (region !== undefined && !DOCUMENTED_REGIONS.includes(region)) {
        throw new ApiError('UnsupportedRegion', `The region \`${region}\` is not supported.`);
      }
      if (actionSpec.region === 'required' && region === undefined) {
        throw new ApiError('MissingParameter', 'The request is missing a required parameter `Region`.');
      }
      const language = headerValue(req.rawHeaders, 'x-tc-language')?.trim();
      if (language !== undefined && language !== 'zh-CN' && language !== 'en-US') {
        throw new ApiError('InvalidParameterValue', 'X-TC-Language must be zh-CN or en-US.');
      }
      validateParams(actionSpec, params);
      const handler = handlers[action];
      const raw = handler({ state, params: params as Record<string, unknown>, region, uin: auth.credential.uin ?? ownerUin, requestId, baseUrl: options.publicUrl ?? baseUrl });
      result = completeOutput(actionSpec, raw, strict);
    } catch (err) {
      if (err instanceof ApiError && strict && !documentedCode(actionSpec.errors, err.code)) {
        log(`[simulator] ${action} ${requestId}: undocumented error code ${err.code}`);
        record.outcome = 'InternalError';
        return sendError(res, 'InternalError', `Simulator used the undocumented error code \`${err.code}\`.`, requestId);
      }
      if (err instanceof ApiError) {
        record.outcome = err.code;
        if (await runFaults(action, 'after', req, res, requestId, record, JSON.stringify(errorEnvelope(err.code, err.message, requestId)))) return;
        return sendError(res, err.code, err.message, requestId);
      }
      const message = err instanceof ShapeError ? `response shape error: ${err.message}` : String((err as Error)?.stack ?? err);
      log(`[simulator] ${action} ${requestId}: ${message}`);
      record.outcome = 'InternalError';
      return sendError(res, 'InternalError', err instanceof ShapeError ? `Simulator ${message}` : 'An internal error has occurred.', requestId);
    }
    const payload = JSON.stringify(successEnvelope(result, requestId));
    record.outcome = 'ok';
    if (await runFaults(action, 'after', req, res, requestId, record, payload)) return;
    send(res, 200, payload);
  };

  const adminError = (res: ServerResponse, status: number, message: string): void => sendJson(res, { error: message }, status);

  const handleAdmin = (req: IncomingMessage, res: ServerResponse, path: string, query: string, body: Buffer): void => {
    const method = (req.method ?? 'GET').toUpperCase();
    const route = path.replace(/^\/__simulator/, '') || '/';
    let json: any = {};
    if (body.length) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return adminError(res, 400, 'body must be JSON');
      }
    }
    const qs = new URLSearchParams(query);
    try {
      if (route === '/health' && method === 'GET') {
        return sendJson(res, { ok: true, service: SERVICE, version: VERSION, actions: actionNames.length, now: formatTime(state.now()) });
      }
      if (route === '/calls' && method === 'GET') return sendJson(res, calls.counts());
      if (route === '/calls' && method === 'DELETE') {
        calls.reset();
        return sendJson(res, { ok: true });
      }
      if ((route === '/log' || route === '/calls/log') && method === 'GET') {
        return sendJson(res, calls.log({ action: qs.get('action') ?? undefined, outcome: qs.get('outcome') ?? undefined }));
      }
      if (route === '/faults' && method === 'GET') return sendJson(res, { faults: faults.list(), clockSkewSeconds: faults.clockSkewSeconds });
      if (route === '/faults' && method === 'DELETE') {
        faults.clear();
        return sendJson(res, { ok: true });
      }
      if (route === '/faults' && method === 'POST') {
        const specs: FaultSpec[] = Array.isArray(json) ? json : json.kind ? [json] : (json.faults ?? []);
        if (!Array.isArray(json) && json.replace) faults.clear();
        if (!Array.isArray(json) && json.seed !== undefined) faults.seed(Number(json.seed));
        if (!Array.isArray(json) && json.clockSkewSeconds !== undefined) faults.setClockSkew(Number(json.clockSkewSeconds));
        if (!Array.isArray(json) && typeof json.env === 'string') {
          const parsed = parseFaultEnv(json.env);
          specs.push(...parsed.faults);
          if (parsed.seed !== undefined) faults.seed(parsed.seed);
          if (parsed.clockSkewSeconds !== undefined) faults.setClockSkew(parsed.clockSkewSeconds);
        }
        const ids = specs.map((s) => faults.add(s));
        return sendJson(res, { ids, faults: faults.list(), clockSkewSeconds: faults.clockSkewSeconds });
      }
      const faultMatch = /^\/faults\/([^/]+)$/.exec(route);
      if (faultMatch && method === 'DELETE') return sendJson(res, { removed: faults.remove(faultMatch[1]) });
      if (route === '/reset' && method === 'POST') {
        api.reset({ state: json.state === true });
        return sendJson(res, { ok: true, state: json.state === true });
      }
      if (route === '/clock' && (method === 'GET' || method === 'POST')) {
        if (method === 'POST') {
          const ms = json.advanceMs !== undefined ? Number(json.advanceMs) : Number(json.advanceSeconds ?? 0) * 1000;
          api.advance(ms);
        }
        return sendJson(res, { now: state.now(), time: formatTime(state.now()), advancedMs: state.advanced, clockSkewSeconds: faults.clockSkewSeconds });
      }
      if (route === '/instances/failure' && method === 'POST') {
        state.setInstanceFailure(String(json.instance), json.fail !== false);
        return sendJson(res, { ok: true });
      }
      const dl = /^\/download\/([0-9a-f]+)$/.exec(route);
      if (dl && method === 'GET') {
        state.tick();
        const entry = state.downloads.get(dl[1]);
        const cert = entry ? state.getCertificate(entry.certId) : undefined;
        if (!entry || !cert) return adminError(res, 404, 'download link expired or unknown');
        return send(res, 200, certificateZip(state, cert, entry.serviceType), 'application/zip');
      }
      return adminError(res, 404, `unknown admin endpoint ${method} ${path}`);
    } catch (err) {
      return adminError(res, 400, (err as Error).message);
    }
  };

  const server: Server = createServer((req, res) => {
    const requestId = randomUUID();
    readBody(req)
      .then(async ({ body, tooLarge }) => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        const path = q >= 0 ? url.slice(0, q) : url;
        const query = q >= 0 ? url.slice(q + 1) : '';
        if (path.startsWith('/__simulator/') || path === '/__simulator') {
          if (!admin) return sendError(res, 'InvalidAction', 'Admin endpoints are disabled.', requestId);
          return handleAdmin(req, res, path, query, body);
        }
        if (tooLarge) return sendError(res, 'RequestSizeLimitExceeded', `The request body exceeds ${MAX_BODY_BYTES} bytes.`, requestId);
        await handleApi(req, res, path, query, body, requestId);
      })
      .catch((err: unknown) => {
        log(`[simulator] unexpected error: ${String((err as Error)?.stack ?? err)}`);
        if (!res.headersSent && !res.destroyed) sendError(res, 'InternalError', 'An internal error has occurred.', requestId);
      });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const api: Simulator = {
    url: baseUrl,
    port,
    host,
    credentials,
    state,
    faults,
    calls,
    advance: (ms: number) => state.advance(ms),
    rateLimit,
    reset(opts = {}) {
      calls.reset();
      faults.clear();
      limiter.reset();
      if (opts.state) state.clear(seedData);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return api;
}
