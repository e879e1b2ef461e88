/**
 * Structured logs: one JSON line per request (caller, operation or route, the upstream actions it
 * made with their RequestIds, latency, outcome), written with pino.
 *
 * Nothing secret may reach a log line: pino's `redact` removes the known secret paths, and
 * `scrub()` masks anything that looks like key material or a credential inside free text (PEM
 * private keys, Authorization values, TC3 signatures, long base64 blobs such as certificate
 * archives). The request scope is carried by AsyncLocalStorage so that the upstream client's
 * `onCall` events land on the request that caused them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';
import { scrub } from './scrub';

/**
 * How an upstream read was answered: `sent` (this request's call went upstream), `coalesced`
 * (another request's identical call, in this instance or another, answered it), `hit` (a fresh
 * cached answer), `stale` (an older cached answer, served while refreshing or when the budget was
 * spent or the upstream failed).
 */
export type CacheUse = 'sent' | 'coalesced' | 'hit' | 'stale';

export interface UpstreamCallRecord {
  action: string;
  /** 1-based for calls sent; 0 for answers taken from the cache or another request's call. */
  attempt: number;
  outcome: 'success' | 'error';
  latencyMs: number;
  requestId?: string;
  upstreamCode?: string;
  cache?: CacheUse;
  /** Age of a cached answer (hit, stale), ms. */
  ageMs?: number;
  /** How long the call waited in the rate limiter's queue. */
  queueWaitMs?: number;
  /** When the request was written to the upstream (ms since the epoch). */
  sentAt?: number;
}

/** What the upstream reads of one request were answered with (REST `Age`, GraphQL `extensions.cache`). */
export interface RequestCacheState {
  /** The request said `Cache-Control: no-cache`: reads go upstream. */
  noCache: boolean;
  /** Reads answered through the cache layer (any `CacheUse`). */
  reads: number;
  /** Reads that are never cached (key material, caching off) and writes. */
  uncached: number;
  writes: number;
  /** Age of the oldest answer used, ms. */
  oldestAgeMs: number;
  /** Least time any answer used stays fresh, ms. */
  freshLeftMs: number;
  /** Whether any answer used was stale. */
  stale: boolean;
}

export interface RequestScope {
  requestId: string;
  upstream: UpstreamCallRecord[];
  /** Set by the surface once known (GraphQL operation name, REST route). */
  operation?: string;
  callerId?: string;
  /** Upstream answers that broke the documented contract (UPSTREAM_CONTRACT), with their RequestIds. */
  contractViolations?: { field: string; problem: string; action?: string; requestId?: string }[];
  cache?: RequestCacheState;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function withRequestScope<T>(scope: RequestScope, fn: () => Promise<T>): Promise<T> {
  return storage.run(scope, fn);
}

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

/**
 * What the upstream client reports of one attempt (its `UpstreamCallEvent` has this shape and
 * more); declared here so that logging stays below the layers it logs.
 */
export type UpstreamCallReport = Omit<UpstreamCallRecord, 'cache' | 'ageMs'>;

/** The upstream client's `onCall` hook: records each attempt on the current request. */
export function recordUpstreamCall(event: UpstreamCallReport): void {
  const scope = storage.getStore();
  if (!scope || scope.upstream.length >= 200) return;
  scope.upstream.push({
    action: event.action,
    attempt: event.attempt,
    outcome: event.outcome,
    latencyMs: Math.round(event.latencyMs),
    cache: 'sent',
    ...(event.requestId ? { requestId: event.requestId } : {}),
    ...(event.upstreamCode ? { upstreamCode: event.upstreamCode } : {}),
    ...(event.queueWaitMs !== undefined ? { queueWaitMs: Math.round(event.queueWaitMs) } : {}),
    ...(event.sentAt !== undefined ? { sentAt: event.sentAt } : {}),
  });
}

const REDACT_PATHS = [
  'secretKey',
  '*.secretKey',
  'sessionToken',
  '*.sessionToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  '*.CertificatePrivateKey',
  '*.EncryptPrivateKey',
  '*.Content',
  '*.KeyPassword',
  '*.CsrKeyPassword',
];

// The scrubber is shared with the error bodies clients see (src/observability/scrub.ts).
export { scrub };

export interface LoggerOptions {
  level?: string;
  /** Where lines go (tests capture them). @default stdout */
  destination?: DestinationStream;
  /** Values that must never appear (the configured secret key, API keys): replaced if seen. */
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 6);
  const formatters = {
    log(obj: Record<string, unknown>) {
      // A last line of defence: stringify, scrub, parse. Cheap at one line per request.
      let text = scrub(JSON.stringify(obj));
      for (const s of secrets) text = text.split(s).join('[REDACTED]');
      return JSON.parse(text) as Record<string, unknown>;
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'ssl-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

let fallback: Logger | undefined;

/**
 * The process-wide structured logger for code that was given none (library defaults, last-resort
 * error paths before or outside a gateway): JSON lines on stdout, with the same redaction and
 * scrubbing. Nothing in `src/` writes to the console directly, so every line the process writes
 * is a JSON log line (only the local server's human start-up banner is plain text).
 */
export function fallbackLogger(): Logger {
  fallback ??= createLogger({ level: 'info' });
  return fallback;
}

/** Replaces the fallback logger (tests capture its lines); returns the previous one. */
export function setFallbackLogger(logger: Logger | undefined): Logger | undefined {
  const previous = fallback;
  fallback = logger;
  return previous;
}

export interface RequestLogLine {
  surface: 'graphql' | 'rest' | 'health' | 'playground' | 'other';
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  outcome: 'ok' | 'client_error' | 'server_error';
  errorCode?: string;
}

/** Writes the one line of a finished request from its scope. */
export function logRequest(logger: Logger, scope: RequestScope, line: RequestLogLine): void {
  const entry = {
    requestId: scope.requestId,
    caller: scope.callerId ?? 'anonymous',
    operation: scope.operation,
    ...line,
    upstream: scope.upstream,
    ...(scope.contractViolations?.length ? { contractViolations: scope.contractViolations } : {}),
  };
  if (line.outcome === 'server_error') logger.error(entry, 'request');
  else logger.info(entry, 'request');
}

export type { Logger };
