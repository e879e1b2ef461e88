/**
 * The upstream client: one signed `POST /` per SSL API call over an undici keep-alive pool,
 * paced by a per-action rate limiter, retried only where that is safe.
 *
 * Retry rules (see `errors.ts` for the table):
 * - reads are retried on rate limits, InternalError, 5xx, timeouts, connection errors and
 *   malformed bodies;
 * - writes are retried ONLY when the failure proves the call did not execute: RequestLimitExceeded*
 *   / LimitExceeded.RateLimitExceeded, AuthFailure.SignatureExpire, or a connection that could not
 *   be established (nothing was sent). Never after the request may have reached the server.
 * - backoff is full jitter: `random() * min(maxDelay, base * 2^(attempt-1))`.
 *
 * Clock skew: on AuthFailure.SignatureExpire the offset between the server's `Date` header and
 * the local clock is learned, kept for later calls, and the request is re-signed once.
 *
 * Cancellation (`signal`): a call aborted before any attempt could have reached the server (queued
 * in the rate limiter, waiting for a connection, or pausing between attempts whose failures prove
 * non-execution) rejects with `CallNotSentError` (nothing executed; a write may be repeated). Once
 * an attempt may have been written it rejects with the abort reason itself: for a write the
 * outcome is then unknown. "Written" is observed at the moment undici starts writing the request
 * (`onRequestStart`) on the owned pool; with a given dispatcher a dispatched attempt counts as
 * written.
 *
 * Secrets: neither the secret key, the session token nor the Authorization header is ever put in
 * an error message or an `onCall` event; upstream and network messages are scrubbed.
 *
 * undici is loaded, and the pool opened, on the first call (before its first rate-limit slot is
 * taken), not at import: a process that answers without calling the SSL API (a `{ __typename }`
 * or health probe, a refused request) never loads it, which keeps it out of a Lambda cold start.
 */
import type { Dispatcher } from 'undici';
import { ErrorReason } from '../errors';
import { fullJitterDelay } from '../time/backoff';
import type { Credentials, UpstreamLanguage } from './credentials';
import { CallNotSentError, GatewayError, GatewayErrorCode, TransportCode, UpstreamError, isRetryable } from './errors';
import type { ActionKind, ActionPolicy, ActionPolicyLookup } from './policy';
import { QueueingRateLimiter, defaultSleep, systemClock, type Clock, type FairShareOptions, type RateLimiter, type Sleep, type StartPermit } from './ratelimit';
import { DEFAULT_SIGNED_HEADERS, SigningKeyCache, sign } from './sign';

export const API_VERSION = '2019-12-05';
export const SERVICE = 'ssl';
export const CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Per-action request/response types. Empty here; augment it from generated code:
 * `declare module '../upstream/client' { interface ActionTypes { DescribeCertificates: { input: X; output: Y } } }`
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface ActionTypes {}

export type ActionInput<A extends string> = A extends keyof ActionTypes
  ? ActionTypes[A] extends { input: infer I }
    ? I
    : Record<string, unknown>
  : Record<string, unknown>;

export type ActionOutput<A extends string> = (A extends keyof ActionTypes
  ? ActionTypes[A] extends { output: infer O }
    ? O
    : Record<string, unknown>
  : Record<string, unknown>) & { RequestId: string };

export type CredentialsProvider = Credentials | (() => Credentials | Promise<Credentials>);

/** One event per attempt. Contains no credentials and no request/response bodies. */
export interface UpstreamCallEvent {
  action: string;
  kind: ActionKind;
  /** 1-based. */
  attempt: number;
  outcome: 'success' | 'error';
  /** Measured with the injected clock, from just before sending to the parsed answer/failure. */
  latencyMs: number;
  requestId?: string;
  httpStatus?: number;
  errorCode?: GatewayErrorCode;
  upstreamCode?: string;
  /** Whether another attempt follows. */
  willRetry: boolean;
  /** Delay before the next attempt (0 for a clock-skew re-sign). */
  retryDelayMs?: number;
  /** True when this failure taught the client a new clock offset. */
  clockSkewCorrected?: boolean;
  /** How long this attempt waited for the rate limiter (its queue wait), ms. */
  queueWaitMs?: number;
  /** When the request was written, after the start check (client clock, ms since the epoch). */
  sentAt?: number;
}

export interface UpstreamClientOptions {
  /** Base URL, e.g. `https://ssl.tencentcloudapi.com` or `http://127.0.0.1:4010`. */
  endpoint: string;
  credentials: CredentialsProvider;
  policies: ActionPolicyLookup;
  /** Default region for actions that use one. */
  region?: string;
  /** Default `X-TC-Language`. */
  language?: UpstreamLanguage;
  /** Credential-scope service. @default 'ssl' */
  service?: string;
  /** @default '2019-12-05' */
  version?: string;
  /** @default 3000 */
  connectTimeoutMs?: number;
  /** Whole attempt (send, headers, body). @default 10000 */
  requestTimeoutMs?: number;
  /** @default 16 */
  maxConnections?: number;
  /** @default 4000 */
  keepAliveTimeoutMs?: number;
  /** Largest accepted response body. @default 32 MiB */
  maxResponseBytes?: number;
  /** Attempts per call, first included. @default 3 */
  maxAttempts?: number;
  /** @default 100 */
  retryBaseDelayMs?: number;
  /** @default 2000 */
  retryMaxDelayMs?: number;
  /** Queue wait allowed by the default limiter. @default 2000 */
  rateLimitMaxWaitMs?: number;
  /** Custom dispatcher (not closed by `close()`); default: an owned undici `Pool` for the endpoint. */
  dispatcher?: Dispatcher;
  /** Default: in-process `QueueingRateLimiter` over `policies`. */
  limiter?: RateLimiter;
  /** Milliseconds since epoch. @default Date.now */
  clock?: Clock;
  /** [0, 1). @default Math.random */
  random?: () => number;
  /** Backoff sleep. @default setTimeout based */
  sleep?: Sleep;
  /** Initial clock offset (server minus local), ms. @default 0 */
  clockOffsetMs?: number;
  /** @default DEFAULT_SIGNED_HEADERS (`content-type;host;x-tc-action`) */
  signedHeaders?: readonly string[];
  /** Observability hook; exceptions it throws are ignored. */
  onCall?: (event: UpstreamCallEvent) => void;
  /** The caller of a call that names none (e.g. from the request scope). @default none */
  callerOf?: () => string | undefined;
  /** Fair shares and caller quotas of the default limiter (ignored with `limiter`). */
  fairShare?: FairShareOptions;
}

export interface CallOptions {
  /** Overrides the client's region for this call (only sent when the action uses a region). */
  region?: string;
  language?: UpstreamLanguage;
  signal?: AbortSignal;
  /** Overrides `requestTimeoutMs` for each attempt of this call. */
  timeoutMs?: number;
  /** Overrides `maxAttempts` for this call. */
  maxAttempts?: number;
  /**
   * Opaque id of the client the call is made for (e.g. `key:<id>`): the rate limiter shares an
   * action's budget fairly between callers and applies each caller's quota. None: `callerOf()`.
   */
  caller?: string;
}

type AttemptFailure = { ok: false; error: UpstreamError; httpStatus?: number; serverDate?: string };
type AttemptOutcome =
  | { ok: true; response: Record<string, unknown> & { RequestId: string }; httpStatus: number; sentAt?: number }
  | AttemptFailure
  /** Not sent: the request could only have been written after its rate-limit slot allowed. */
  | { ok: false; lateStart: true }
  /** The caller's signal aborted the attempt before the request was written. */
  | { ok: false; abortedUnsent: true };

/**
 * Rate-limit start check, carried by the request options to `startCheckInterceptor`. undici may
 * write a request only after more event-loop work (on a reused keep-alive socket it first yields
 * to the check phase), so the limiter's go is re-checked right before the request is written.
 */
const START_CHECK = Symbol('ssl-gateway.startCheck');
interface StartCheck {
  /** The limiter's permit; none when the limiter gives no start check (e.g. `unlimited`). */
  readonly permit?: StartPermit;
  /** When the request was dispatched (client clock). */
  dispatchedAt?: number;
  /** Set when undici starts writing the request: from then on an abort leaves its outcome unknown. */
  written: boolean;
  /** When the request passed the check and was written (client clock). */
  sentAt?: number;
}

/** Aborts a request before it is written when its slot's tolerance has passed (nothing is sent). */
class LateStartError extends Error {
  constructor() {
    super('the call could not be started within its rate-limit slot');
    this.name = 'LateStartError';
  }
}

/** Slots a call may lose to late starts before it fails with RATE_LIMITED. */
const MAX_LOST_STARTS = 5;

/**
 * A dispatch handler that forwards everything to `inner` and, when the request is about to be
 * written (`onRequestStart`), refuses it if it is too late for its slot: it throws, which undici
 * turns into an error of this request without writing anything and without closing the
 * connection (a `controller.abort()` would destroy the socket, and the retry would then have to
 * connect first, late again). Exception: a connection opened after the request was dispatched
 * (connecting, not the event loop, made it late: refusing would keep every call on a slow new
 * connection late); such a call goes, and its lateness is part of the guard's jitter allowance.
 */
class StartCheckHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly check: StartCheck,
    private readonly connectedSince: (t: number) => boolean,
    private readonly clock: Clock,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
    const { dispatchedAt } = this.check;
    const connectedForIt = dispatchedAt !== undefined && this.connectedSince(dispatchedAt) && this.check.permit?.strict !== true;
    if (!controller.aborted && this.check.permit?.late() === true && !connectedForIt) {
      throw new LateStartError();
    }
    this.check.written = true;
    this.check.sentAt = this.clock();
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>): void {
    this.inner.onRequestUpgrade?.(...args);
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>): void {
    this.inner.onResponseStart?.(...args);
  }

  onResponseData(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseData']>>): void {
    this.inner.onResponseData?.(...args);
  }

  onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>): void {
    this.inner.onResponseEnd?.(...args);
  }

  onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseError']>>): void {
    this.inner.onResponseError?.(...args);
  }
}

const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_ERROR_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

interface ErrorLike {
  code?: unknown;
  syscall?: unknown;
  cause?: unknown;
  message?: unknown;
}

function errorChain(err: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur !== null && typeof cur === 'object'; i++) {
    out.push(cur as ErrorLike);
    cur = (cur as ErrorLike).cause;
  }
  return out;
}

/** Which transport failure an error from undici represents. */
export function classifyNetworkError(err: unknown): TransportCode {
  const chain = errorChain(err);
  for (const e of chain) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code !== undefined && CONNECT_ERROR_CODES.has(code)) return TransportCode.ConnectFailed;
    if (e.syscall === 'connect' || e.syscall === 'getaddrinfo') return TransportCode.ConnectFailed;
  }
  for (const e of chain) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code !== undefined && TIMEOUT_ERROR_CODES.has(code)) return TransportCode.Timeout;
    if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return TransportCode.MalformedResponse;
  }
  return TransportCode.ConnectionLost;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Removes `null` members recursively (as the official SDKs do) so optional inputs can be passed as null. */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = stripNulls(v);
    return out;
  }
  return value;
}

type Undici = Pick<typeof import('undici'), 'Pool' | 'buildConnector' | 'request'>;
let undiciLoading: Promise<Undici> | undefined;

/** undici, imported once per process on the first upstream call (see the module comment). */
function loadUndici(): Promise<Undici> {
  undiciLoading ??= import('undici').then(
    // A CommonJS package: its exports as named bindings, or only as `default` where a loader offers no others.
    (m) => (typeof m.Pool === 'function' ? m : (m as unknown as { default: Undici }).default),
    (err: unknown) => {
      undiciLoading = undefined;
      throw err;
    },
  );
  return undiciLoading;
}

/** What a call is sent through: undici's `request`, the pool (or given dispatcher), and the dispatcher requests go to. */
interface Transport {
  request: Undici['request'];
  dispatcher: Dispatcher;
  /** The owned pool with the start check, or the given dispatcher as is. */
  send: Dispatcher;
}

const ACTION_NAME = /^[A-Z][A-Za-z0-9]{0,127}$/;
const AUTHORIZATION_TEXT = /TC3-HMAC-SHA256\s+Credential=\S*(\s*SignedHeaders=\S*)?(\s*Signature=[0-9a-fA-F]*)?/g;

export class UpstreamClient {
  private readonly url: URL;
  private readonly host: string;
  private readonly service: string;
  private readonly version: string;
  private readonly ownsDispatcher: boolean;
  /** Set once undici is loaded and the pool open (`openTransport`, on the first call). */
  private transport: Transport | undefined;
  private transportOpening: Promise<Transport> | undefined;
  /** Client clock when the owned pool last opened a connection. */
  private connectedAt = Number.NEGATIVE_INFINITY;
  private readonly limiter: RateLimiter;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleep: Sleep;
  private readonly keyCache = new SigningKeyCache(4);
  private offsetMs: number;
  private closed = false;

  constructor(private readonly options: UpstreamClientOptions) {
    this.url = new URL(options.endpoint);
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') throw new Error('endpoint must be an http(s) URL');
    this.url.pathname = '/';
    this.url.search = '';
    this.host = this.url.host;
    this.service = options.service ?? SERVICE;
    this.version = options.version ?? API_VERSION;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
    this.offsetMs = options.clockOffsetMs ?? 0;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.limiter =
      options.limiter ??
      new QueueingRateLimiter({
        policies: options.policies,
        maxWaitMs: options.rateLimitMaxWaitMs ?? 2_000,
        clock: this.clock,
        ...options.fairShare,
      });
  }

  /** Current estimate of (server clock - local clock), ms. */
  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  /** Closes the owned connection pool (none is open before the first call). */
  async close(): Promise<void> {
    if (!this.ownsDispatcher || this.closed) return;
    this.closed = true;
    const transport = this.transport ?? (await this.transportOpening?.catch(() => undefined));
    await transport?.dispatcher.close();
  }

  /** Loads undici and opens the pool, once (every call awaits it before its first slot). */
  private openTransport(): Promise<Transport> {
    this.transportOpening ??= this.createTransport().then(
      (t) => (this.transport = t),
      (err: unknown) => {
        this.transportOpening = undefined;
        throw err;
      },
    );
    return this.transportOpening;
  }

  private async createTransport(): Promise<Transport> {
    const options = this.options;
    const undici = await loadUndici();
    let dispatcher: Dispatcher;
    if (options.dispatcher !== undefined) {
      dispatcher = options.dispatcher;
    } else {
      const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
      // The Pool's default connector, plus a note of when a connection was opened (start check).
      const connector = undici.buildConnector({ allowH2: false, timeout: options.connectTimeoutMs ?? 3_000 });
      dispatcher = new undici.Pool(this.url.origin, {
        connections: options.maxConnections ?? 16,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
        connect: (opts, callback) =>
          connector(opts, (err, socket) => {
            if (err === null) this.connectedAt = this.clock();
            // undici's connector callback is overloaded (error xor socket)
            (callback as (e: Error | null, s: typeof socket) => void)(err, socket);
          }),
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
        maxResponseSize: options.maxResponseBytes ?? 32 * 1024 * 1024,
        // HTTP/1.1 keeps the signed `host` header exactly what the server sees.
        allowH2: false,
      });
    }
    const send = this.ownsDispatcher
      ? dispatcher.compose((dispatch) => (opts, handler) => {
          const check = (opts as { [START_CHECK]?: StartCheck })[START_CHECK];
          if (check === undefined) return dispatch(opts, handler);
          check.dispatchedAt = this.clock();
          return dispatch(opts, new StartCheckHandler(handler, check, (t) => this.connectedAt >= t, this.clock));
        })
      : dispatcher;
    // Closed before its first call: the pool is closed as it would have been, so a call fails alike.
    if (this.closed && this.ownsDispatcher) await dispatcher.close();
    return { request: undici.request, dispatcher, send };
  }

  /** Calls `action` and returns the `Response` object (with `RequestId`, without the envelope). */
  async call<A extends string>(action: A, params?: ActionInput<A>, opts: CallOptions = {}): Promise<ActionOutput<A>> {
    const policy = this.policyFor(action);
    const headersBase = this.baseHeaders(action, policy, opts);
    const body = JSON.stringify(stripNulls(params ?? {}));
    const maxAttempts = Math.max(1, opts.maxAttempts ?? this.options.maxAttempts ?? 3);
    let skewCorrected = false;
    // Attempts that do not count against maxAttempts (the one clock-skew re-sign).
    let freeAttempts = 0;
    // Slots lost because the request could not be written in time (nothing was sent).
    let lostStarts = 0;
    // Whether an attempt so far may have reached the server (decides what an abort rejects with).
    let mayHaveExecuted = false;
    const abortError = (): unknown => (mayHaveExecuted ? opts.signal!.reason : new CallNotSentError(action, opts.signal!.reason));
    // An abort (not a gateway answer such as RATE_LIMITED) while nothing of this attempt is sent.
    const abortedBeforeSend = (err: unknown) => opts.signal?.aborted === true && !(err instanceof GatewayError);
    const caller = opts.caller ?? this.callerOf();
    // Queue wait of the current attempt, including slots lost to late starts.
    let queueWaitMs = 0;

    for (let attempt = 1; ; attempt++) {
      // Credentials (and undici, on the first call) first: between the limiter's go and the
      // request being written nothing may wait for I/O (a provider refreshing them would), or the
      // call could start after its slot.
      if (this.transport === undefined) await this.openTransport();
      const creds = await this.credentials();
      const queuedAt = this.clock();
      const acquireOptions = lostStarts > 0 || caller !== undefined ? { ...(lostStarts > 0 ? { requeue: true } : {}), ...(caller === undefined ? {} : { caller }) } : undefined;
      let permit: StartPermit | void;
      try {
        permit = await this.limiter.acquire(action, opts.signal, acquireOptions);
      } catch (err) {
        // Cut while queued for its slot: the request was never written.
        if (abortedBeforeSend(err)) throw abortError();
        throw err;
      }
      const started = this.clock();
      queueWaitMs += Math.max(0, started - queuedAt);
      const outcome = await this.attempt(action, headersBase, body, attempt, opts, creds, permit ?? undefined);
      const latencyMs = Math.max(0, this.clock() - started);

      if (!outcome.ok && 'abortedUnsent' in outcome) throw abortError();

      if (!outcome.ok && 'lateStart' in outcome) {
        // Nothing was sent: give the slot back and wait for another one, ahead of this process'
        // other waiters. Not an attempt.
        permit?.release();
        lostStarts++;
        if (lostStarts > MAX_LOST_STARTS) {
          throw new GatewayError(
            GatewayErrorCode.RATE_LIMITED,
            `The ${action} call could not be started within its rate-limit slot ${lostStarts} times (the gateway is overloaded); retry later.`,
            { details: { action, source: 'gateway', reason: ErrorReason.LATE_START, retryAfterMs: 1_000 } },
          );
        }
        attempt--;
        continue;
      }
      const waited = queueWaitMs;
      queueWaitMs = 0;

      if (outcome.ok) {
        this.emit({ action, kind: policy.kind, attempt, outcome: 'success', latencyMs, requestId: outcome.response.RequestId, httpStatus: outcome.httpStatus, willRetry: false, queueWaitMs: waited, ...(outcome.sentAt === undefined ? {} : { sentAt: outcome.sentAt }) });
        return outcome.response as ActionOutput<A>;
      }

      const { error } = outcome;
      if (error.retry !== 'always-safe') mayHaveExecuted = true;
      const base = {
        action,
        kind: policy.kind,
        attempt,
        outcome: 'error' as const,
        latencyMs,
        requestId: error.requestId,
        httpStatus: outcome.httpStatus,
        errorCode: error.code,
        upstreamCode: error.upstreamCode,
        queueWaitMs: waited,
      };

      if (error.upstreamCode === 'AuthFailure.SignatureExpire') {
        const serverMs = outcome.serverDate === undefined ? Number.NaN : Date.parse(outcome.serverDate);
        if (!skewCorrected && Number.isFinite(serverMs)) {
          skewCorrected = true;
          freeAttempts += 1;
          this.offsetMs = serverMs - this.clock();
          this.emit({ ...base, willRetry: true, retryDelayMs: 0, clockSkewCorrected: true });
          continue; // re-sign once; does not count against the retry budget
        }
        this.emit({ ...base, willRetry: false });
        throw error;
      }

      const retry = isRetryable(error.retry, policy.kind) && attempt - freeAttempts < maxAttempts;
      if (!retry) {
        this.emit({ ...base, willRetry: false });
        throw error;
      }
      const retryNumber = attempt - freeAttempts;
      const delay = fullJitterDelay(retryNumber, this.options.retryBaseDelayMs ?? 100, this.options.retryMaxDelayMs ?? 2_000, this.random);
      this.emit({ ...base, willRetry: true, retryDelayMs: delay });
      try {
        if (delay > 0) await this.sleep(delay, opts.signal);
        else if (opts.signal?.aborted) throw opts.signal.reason;
      } catch (err) {
        // Cut between attempts: executed only if an earlier attempt may have been.
        if (abortedBeforeSend(err)) throw abortError();
        throw err;
      }
    }
  }

  private callerOf(): string | undefined {
    try {
      return this.options.callerOf?.();
    } catch {
      return undefined;
    }
  }

  private policyFor(action: string): ActionPolicy {
    const policy = ACTION_NAME.test(action) ? this.options.policies(action) : undefined;
    if (policy === undefined) {
      throw new GatewayError(GatewayErrorCode.BAD_REQUEST, `Unknown action: ${action.slice(0, 128)}`, { details: { action: action.slice(0, 128) } });
    }
    return policy;
  }

  private baseHeaders(action: string, policy: ActionPolicy, opts: CallOptions): Record<string, string> {
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPE,
      Host: this.host,
      'X-TC-Action': action,
      'X-TC-Version': this.version,
    };
    if (policy.region !== 'none') {
      const region = opts.region ?? this.options.region;
      if (region !== undefined && region !== '') headers['X-TC-Region'] = region;
      else if (policy.region === 'required') {
        throw new GatewayError(GatewayErrorCode.BAD_REQUEST, `${action} requires a region (configure TENCENTCLOUD_REGION or pass one)`, { details: { action } });
      }
    }
    const language = opts.language ?? this.options.language;
    if (language !== undefined) headers['X-TC-Language'] = language;
    return headers;
  }

  private async credentials(): Promise<Credentials> {
    const c = this.options.credentials;
    return typeof c === 'function' ? await c() : c;
  }

  /** Removes anything secret from a message that may be shown to clients or logged. */
  private scrub(text: string, creds: Credentials | undefined): string {
    let out = text.replace(AUTHORIZATION_TEXT, '[redacted authorization]');
    for (const secret of [creds?.secretKey, creds?.sessionToken]) {
      if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('[redacted]');
    }
    return out.length > 1000 ? `${out.slice(0, 1000)}…` : out;
  }

  private async attempt(
    action: string,
    headersBase: Record<string, string>,
    body: string,
    attempt: number,
    opts: CallOptions,
    creds: Credentials,
    permit?: StartPermit,
  ): Promise<AttemptOutcome> {
    const headers: Record<string, string> = { ...headersBase };
    if (creds.sessionToken !== undefined && creds.sessionToken !== '') headers['X-TC-Token'] = creds.sessionToken;
    const timestamp = Math.floor((this.clock() + this.offsetMs) / 1000);
    const signed = sign({
      secretId: creds.secretId,
      secretKey: creds.secretKey,
      service: this.service,
      timestamp,
      headers,
      body,
      signedHeaders: this.options.signedHeaders ?? DEFAULT_SIGNED_HEADERS,
      cache: this.keyCache,
    });

    const timeoutMs = opts.timeoutMs ?? this.options.requestTimeoutMs ?? 10_000;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error('upstream request timed out')), timeoutMs);
    const signal = opts.signal === undefined ? timeout.signal : AbortSignal.any([opts.signal, timeout.signal]);
    const fail = (upstreamCode: string, message: string, extra: Partial<AttemptFailure> = {}, cause?: unknown): AttemptOutcome => ({
      ok: false,
      error: new UpstreamError({
        action,
        upstreamCode,
        message: this.scrub(message, creds),
        attempts: attempt,
        requestId: undefined,
        upstreamHttpStatus: extra.httpStatus,
        cause,
      }),
      ...extra,
    });

    let statusCode: number;
    let text: string;
    let serverDate: string | undefined;
    const check: StartCheck = { permit, written: false };
    try {
      const transport = this.transport!;
      const res = await transport.request(this.url, {
        dispatcher: transport.send,
        method: 'POST',
        headers: signed.headers,
        body,
        signal,
        ...{ [START_CHECK]: check },
      });
      statusCode = res.statusCode;
      const date = res.headers.date;
      serverDate = Array.isArray(date) ? date[0] : date;
      text = await res.body.text();
    } catch (err) {
      if (opts.signal?.aborted) {
        // Only the owned pool tells when a request is written; through a given dispatcher a
        // dispatched request may have been.
        if (this.ownsDispatcher && !check.written) return { ok: false, abortedUnsent: true };
        throw opts.signal.reason;
      }
      if (err instanceof LateStartError) return { ok: false, lateStart: true };
      if (timeout.signal.aborted) {
        return fail(TransportCode.Timeout, `${action}: no answer from the SSL API within ${timeoutMs} ms`);
      }
      const kind = classifyNetworkError(err);
      const detail = err instanceof Error ? err.message : String(err);
      const what =
        kind === TransportCode.ConnectFailed
          ? 'could not connect to the SSL API'
          : kind === TransportCode.Timeout
            ? 'the SSL API did not answer in time'
            : kind === TransportCode.MalformedResponse
              ? 'the SSL API answer was too large'
              : 'the connection to the SSL API was lost';
      return fail(kind, `${action}: ${what} (${detail})`, {}, err);
    } finally {
      clearTimeout(timer);
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const envelope = isRecord(parsed) && isRecord(parsed.Response) ? parsed.Response : undefined;
    if (envelope === undefined) {
      if (statusCode >= 500) return fail(TransportCode.HttpServerError, `${action}: the SSL API answered HTTP ${statusCode}`, { httpStatus: statusCode, serverDate });
      if (statusCode < 200 || statusCode >= 300) return fail(TransportCode.HttpStatus, `${action}: the SSL API answered HTTP ${statusCode}`, { httpStatus: statusCode, serverDate });
      return fail(TransportCode.MalformedResponse, `${action}: the SSL API answer is not a JSON {"Response": {...}} envelope`, { httpStatus: statusCode, serverDate });
    }
    const requestId = typeof envelope.RequestId === 'string' ? envelope.RequestId : undefined;

    if (envelope.Error !== undefined) {
      const e = envelope.Error;
      if (!isRecord(e) || typeof e.Code !== 'string' || e.Code === '') {
        return fail(TransportCode.MalformedResponse, `${action}: the SSL API returned an Error without a Code`, { httpStatus: statusCode, serverDate });
      }
      const message = typeof e.Message === 'string' && e.Message !== '' ? e.Message : e.Code;
      return {
        ok: false,
        httpStatus: statusCode,
        serverDate,
        error: new UpstreamError({
          action,
          upstreamCode: e.Code,
          message: this.scrub(message, creds),
          requestId,
          upstreamHttpStatus: statusCode,
          attempts: attempt,
        }),
      };
    }
    if (requestId === undefined) {
      return fail(TransportCode.MalformedResponse, `${action}: the SSL API answer has no RequestId`, { httpStatus: statusCode, serverDate });
    }
    return { ok: true, response: envelope as Record<string, unknown> & { RequestId: string }, httpStatus: statusCode, sentAt: check?.sentAt };
  }

  private emit(event: UpstreamCallEvent): void {
    if (this.options.onCall === undefined) return;
    try {
      this.options.onCall(event);
    } catch {
      // observability must never break a call
    }
  }
}
