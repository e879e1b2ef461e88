/**
 * Fault injection.
 *
 * A fault applies to authenticated API requests (after signature, version and action checks, so the
 * call is counted) and is evaluated in one of two phases:
 *
 * - `before`: before the request is processed. The action's handler does NOT run, so no state
 *   changes. This models failures between the client and the service (proxy resets, 5xx from a
 *   load balancer, throttling, an internal error that rejected the call).
 * - `after`: the handler ran and its state change is applied, then the response is replaced or
 *   lost. `reset` with phase `after` is the case that makes blind replays of writes dangerous: the
 *   client sees ECONNRESET although the mutation happened.
 *
 * Kinds:
 * - `latency` (`ms`): delay; phase `before` (default) delays before processing, `after` delays the
 *   response after processing (a client timeout then leaves the mutation applied).
 * - `reset`: destroy the TCP connection without a response (default phase `before`).
 * - `http` (`status`, default 503): a non-200 status with an HTML body, like a gateway in front of
 *   the service (default phase `before`).
 * - `internalError`: HTTP 200 `InternalError` envelope (default phase `before`).
 * - `rateLimit`: HTTP 200 `RequestLimitExceeded` envelope (`code` may name a sub-code); always `before`.
 * - `error`: any error envelope given by `code`/`message` (default phase `before`).
 * - `malformed` (`body`: `truncated` | `html` | `empty` | `not-json`): HTTP 200 with a body that is
 *   not a valid response envelope (default phase `after`).
 *
 * Targeting: `actions` (default: all actions), `count` (the fault fires for the next N matching
 * calls, then disappears) and/or `probability` (0..1, drawn from a seeded RNG so runs are
 * reproducible). Without count and probability a fault fires on every matching call until removed.
 *
 * Clock skew is not a per-call fault but a setting: `setClockSkew(seconds)` offsets the server
 * clock used for the signature timestamp check and the `Date` response header.
 */
import { Rng } from './rng';

export type FaultKind = 'latency' | 'reset' | 'http' | 'internalError' | 'rateLimit' | 'error' | 'malformed';
export type FaultPhase = 'before' | 'after';
export type MalformedBody = 'truncated' | 'html' | 'empty' | 'not-json';

export interface FaultSpec {
  kind: FaultKind;
  /** Only these actions (default: every action). */
  actions?: string[];
  /** Fire for the next `count` matching calls, then remove the fault. */
  count?: number;
  /** Fire with this probability (0..1) on each matching call. */
  probability?: number;
  phase?: FaultPhase;
  /** latency: milliseconds. */
  ms?: number;
  /** http: status code (default 503). */
  status?: number;
  /** error / rateLimit / internalError: the error code. */
  code?: string;
  message?: string;
  /** malformed: the kind of garbage (default `truncated`). */
  body?: MalformedBody;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  phase: FaultPhase;
  /** How many times the fault fired so far. */
  fired: number;
  /** Remaining firings when created with `count`. */
  remaining?: number;
}

const DEFAULT_PHASE: Record<FaultKind, FaultPhase> = {
  latency: 'before',
  reset: 'before',
  http: 'before',
  internalError: 'before',
  rateLimit: 'before',
  error: 'before',
  malformed: 'after',
};

const KINDS = new Set<FaultKind>(['latency', 'reset', 'http', 'internalError', 'rateLimit', 'error', 'malformed']);

export class FaultController {
  private faults: ActiveFault[] = [];
  private rng: Rng;
  private nextId = 1;
  private skewSeconds = 0;

  constructor(seed = 1) {
    this.rng = new Rng(seed);
  }

  /** Adds a fault and returns its id. */
  add(spec: FaultSpec): string {
    validateSpec(spec);
    const id = `f${this.nextId++}`;
    const phase = spec.kind === 'rateLimit' ? 'before' : (spec.phase ?? DEFAULT_PHASE[spec.kind]);
    this.faults.push({ ...spec, actions: spec.actions ? [...spec.actions] : undefined, id, phase, fired: 0, remaining: spec.count });
    return id;
  }

  /** Shorthand: the next `count` calls (of `actions`, or any) fail with `kind`. */
  next(count: number, kind: FaultKind, extra: Omit<FaultSpec, 'kind' | 'count'> = {}): string {
    return this.add({ ...extra, kind, count });
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
    this.skewSeconds = 0;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Re-seeds the RNG used for probabilistic faults. */
  seed(seed: number): void {
    this.rng = new Rng(seed);
  }

  /** Server clock offset in seconds (positive: the server clock runs ahead). */
  setClockSkew(seconds: number): void {
    if (!Number.isFinite(seconds)) throw new TypeError('clock skew must be a finite number of seconds');
    this.skewSeconds = seconds;
  }

  get clockSkewSeconds(): number {
    return this.skewSeconds;
  }

  /**
   * Faults that fire for this call in this phase (consumes counts). Latency faults are returned
   * first, at most one terminal fault (the first added) follows.
   */
  take(action: string, phase: FaultPhase): ActiveFault[] {
    const fired: ActiveFault[] = [];
    let terminal = false;
    for (const f of this.faults) {
      if (f.phase !== phase) continue;
      if (f.actions && !f.actions.includes(action)) continue;
      const isTerminal = f.kind !== 'latency';
      if (isTerminal && terminal) continue;
      if (f.probability !== undefined && this.rng.next() >= f.probability) continue;
      f.fired++;
      if (f.remaining !== undefined) f.remaining--;
      fired.push({ ...f });
      if (isTerminal) terminal = true;
    }
    this.faults = this.faults.filter((f) => f.remaining === undefined || f.remaining > 0);
    return fired.sort((a, b) => Number(a.kind !== 'latency') - Number(b.kind !== 'latency'));
  }
}

function validateSpec(spec: FaultSpec): void {
  if (!spec || !KINDS.has(spec.kind)) throw new TypeError(`unknown fault kind: ${String(spec?.kind)}`);
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
    throw new TypeError('fault count must be a positive integer');
  }
  if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
    throw new TypeError('fault probability must be within 0..1');
  }
  if (spec.kind === 'latency' && !(typeof spec.ms === 'number' && spec.ms >= 0)) {
    throw new TypeError('latency fault needs ms >= 0');
  }
  if (spec.kind === 'http' && spec.status !== undefined && !(spec.status >= 400 && spec.status <= 599)) {
    throw new TypeError('http fault status must be 4xx or 5xx');
  }
  if (spec.kind === 'error' && !spec.code) throw new TypeError('error fault needs a code');
  if (spec.phase !== undefined && spec.phase !== 'before' && spec.phase !== 'after') {
    throw new TypeError('fault phase must be before or after');
  }
  if (spec.actions !== undefined && (!Array.isArray(spec.actions) || spec.actions.some((a) => typeof a !== 'string'))) {
    throw new TypeError('fault actions must be an array of action names');
  }
}

export interface ParsedFaultEnv {
  faults: FaultSpec[];
  clockSkewSeconds?: number;
  seed?: number;
}

/**
 * Parses `SIMULATOR_FAULTS`, a comma-separated list of `name[=value][@Action|Action...]`:
 *
 * - `latency=200` — 200 ms before every call; `latency-after=200` after processing
 * - `reset=0.1` — reset 10% of calls before processing; `reset-after=0.1` after processing
 * - `http=0.1` / `http502=0.1` / `5xx=0.1` — HTTP 503 (or the given status) for 10% of calls
 * - `internal=0.1`, `internal-after=0.1` — InternalError envelope
 * - `ratelimit=0.1` — RequestLimitExceeded envelope
 * - `malformed=0.1` — garbled (truncated) JSON body after processing
 * - `skew=120` — server clock 120 s ahead (negative: behind)
 * - `seed=42` — RNG seed for the probabilities
 *
 * A value `xN` instead of a probability means "the next N calls" (e.g. `internal=x2@DescribeCertificates`).
 * A value of `1` (or no value) means every call.
 */
export function parseFaultEnv(text: string | undefined): ParsedFaultEnv {
  const out: ParsedFaultEnv = { faults: [] };
  if (!text || !text.trim()) return out;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const [head, actionPart] = item.split('@', 2);
    const eq = head.indexOf('=');
    const name = (eq >= 0 ? head.slice(0, eq) : head).trim().toLowerCase();
    const value = eq >= 0 ? head.slice(eq + 1).trim() : '';
    const actions = actionPart ? actionPart.split('|').map((a) => a.trim()).filter(Boolean) : undefined;
    const trigger = (): Pick<FaultSpec, 'count' | 'probability'> => {
      if (!value) return {};
      if (/^x\d+$/i.test(value)) return { count: Number(value.slice(1)) };
      const p = Number(value);
      if (!(p >= 0 && p <= 1)) throw new TypeError(`SIMULATOR_FAULTS: ${name} expects a probability 0..1 or xN, got ${value}`);
      return p >= 1 ? {} : { probability: p };
    };
    const num = (): number => {
      const n = Number(value);
      if (!value || !Number.isFinite(n)) throw new TypeError(`SIMULATOR_FAULTS: ${name} expects a number, got ${value}`);
      return n;
    };
    const httpMatch = /^(?:http(\d{3})?|5xx)$/.exec(name);
    if (name === 'seed') out.seed = num();
    else if (name === 'skew' || name === 'clockskew') out.clockSkewSeconds = num();
    else if (name === 'latency' || name === 'latency-after') {
      out.faults.push({ kind: 'latency', ms: num(), actions, phase: name === 'latency' ? 'before' : 'after' });
    } else if (name === 'reset' || name === 'reset-after' || name === 'reset-before') {
      out.faults.push({ kind: 'reset', ...trigger(), actions, phase: name === 'reset-after' ? 'after' : 'before' });
    } else if (httpMatch) {
      out.faults.push({ kind: 'http', status: httpMatch[1] ? Number(httpMatch[1]) : 503, ...trigger(), actions });
    } else if (name === 'internal' || name === 'internalerror' || name === 'internal-after') {
      out.faults.push({ kind: 'internalError', ...trigger(), actions, phase: name === 'internal-after' ? 'after' : 'before' });
    } else if (name === 'ratelimit' || name === 'throttle') {
      out.faults.push({ kind: 'rateLimit', ...trigger(), actions });
    } else if (name === 'malformed') {
      out.faults.push({ kind: 'malformed', ...trigger(), actions });
    } else {
      throw new TypeError(`SIMULATOR_FAULTS: unknown fault \`${name}\``);
    }
  }
  return out;
}
