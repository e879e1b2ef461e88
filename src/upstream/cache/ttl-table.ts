/**
 * How long each read action's answer stays fresh: one table, derived from the spec.
 *
 * Every `read` action of the spec gets a class:
 * - `never`:   its answer can carry private-key material (any output member the `keys` scope
 *              guards: `DescribeCertificateDetail`, `DescribeCertificate`, `DownloadCertificate`,
 *              `DescribeDownloadCertificateUrl`). Never cached, never coalesced across callers.
 * - `state`:   task and deploy-record states (`…TaskResult`, `…TaskDetail`, `…RecordDetail`): short
 *              while anything is still running, long once every status in the answer is final
 *              (final states do not change; the retry/rollback writes invalidate them anyway).
 * - `hosts`:   host instance lists (`DescribeHost…InstanceList`), which the upstream itself caches.
 * - `static`:  answers that depend only on the input (`CheckCertificateChain`).
 * - `list`:    everything else (lists and details): a few seconds.
 *
 * `CACHE_TTL_SECONDS` replaces the `list` time (0 turns every class off), `CACHE_TTL_OVERRIDES`
 * replaces the time of single actions (both the running and the final time of a `state` action);
 * an override wins over `CACHE_TTL_SECONDS=0`. A `never` action cannot be overridden.
 */
import { spec, type ApiSpec } from '../../spec';

export type TtlClass = 'never' | 'state' | 'hosts' | 'static' | 'list';

/** Default fresh times, seconds. */
export const DEFAULT_TTL_SECONDS = {
  list: 5,
  running: 1,
  final: 300,
  hosts: 30,
  static: 300,
} as const;

/** Output members that can hold private-key material (the `keys` scope's member rule, src/auth/scopes.ts). */
const KEY_MATERIAL_MEMBER = /(PrivateKey|KeyPass|KeyPassword)$/i;
/** Actions whose whole answer is key material or a link to it. */
const KEY_DOWNLOAD_ACTIONS: ReadonlySet<string> = new Set(['DownloadCertificate', 'DescribeDownloadCertificateUrl']);
/** Reads whose answer depends on nothing but the input. */
const STATIC_ACTIONS: ReadonlySet<string> = new Set(['CheckCertificateChain']);

/** Whether an output of `action` (through structures and arrays) can carry key material. */
export function canCarryKeyMaterial(action: string, api: ApiSpec = spec): boolean {
  const a = Object.prototype.hasOwnProperty.call(api.actions, action) ? api.actions[action] : undefined;
  if (!a) return true; // unknown: assume the worst
  if (KEY_DOWNLOAD_ACTIONS.has(action)) return true;
  const seen = new Set<string>();
  const walk = (members: readonly { name: string; type: string }[]): boolean =>
    members.some((m) => {
      if (KEY_MATERIAL_MEMBER.test(m.name)) return true;
      const s = api.structures[m.type];
      if (!s || seen.has(s.name)) return false;
      seen.add(s.name);
      return walk(s.members);
    });
  return walk(a.outputs);
}

export function ttlClassOf(action: string, api: ApiSpec = spec): TtlClass | undefined {
  const a = Object.prototype.hasOwnProperty.call(api.actions, action) ? api.actions[action] : undefined;
  if (!a || a.kind !== 'read') return undefined;
  if (canCarryKeyMaterial(action, api)) return 'never';
  if (/Task(Result|Detail)$|RecordDetail$/.test(action)) return 'state';
  if (/^DescribeHost\w*InstanceList$/.test(action)) return 'hosts';
  if (STATIC_ACTIONS.has(action)) return 'static';
  return 'list';
}

type Json = Record<string, unknown>;

/** Statuses meaning "not final" for task answers (0 running) and deploy records (0 pending, 3 running). */
const RUNNING_TASK = new Set([0]);
const RUNNING_RECORD = new Set([0, 3]);

/** Every numeric `Status` member in `value` (recursively). */
function statuses(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) statuses(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Json)) {
      if (k === 'Status' && (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)))) out.push(Number(v));
      else if (typeof v === 'object') statuses(v, out);
    }
  }
  return out;
}

/**
 * Whether a `state` answer is final, from its status members (documented meanings: task Status
 * 0 running, 1 done, 2+ failed; deploy record Status 0 pending, 1 done, 2 failed, 3 running,
 * 4/5 rolled back / rollback failed, 6 nothing to deploy). An answer without any status is not final.
 */
export function isFinalAnswer(action: string, answer: Json): boolean {
  if (/RecordDetail$/.test(action)) {
    if (Number(answer.RunningTotalCount ?? 0) > 0) return false;
    const all = statuses(answer);
    return all.length > 0 && all.every((s) => !RUNNING_RECORD.has(s));
  }
  if (action === 'DescribeCertificateBindResourceTaskDetail') {
    return answer.Status !== undefined && !RUNNING_TASK.has(Number(answer.Status));
  }
  const list = Object.values(answer).find(Array.isArray) as unknown[] | undefined;
  if (!list || list.length === 0) return false;
  const all = list.map((item) => Number((item as Json | null)?.Status));
  return all.every((s) => Number.isFinite(s) && !RUNNING_TASK.has(s));
}

export interface TtlSettings {
  /** `CACHE_TTL_SECONDS`: fresh time of the `list` class; 0 turns every class off. @default 5 */
  defaultSeconds?: number;
  /** `CACHE_TTL_OVERRIDES`: action → seconds (0 = off for that action). */
  overrides?: Readonly<Record<string, number>>;
}

export interface TtlTable {
  classOf(action: string): TtlClass | undefined;
  /** Whether reads of `action` go through the cache and coalescing at all. */
  cacheable(action: string): boolean;
  /** Fresh time of `answer` of `action`, ms (0: do not store). */
  freshMs(action: string, answer: Json): number;
  /** The longest fresh time any answer can get, ms. */
  readonly maxFreshMs: number;
}

export function buildTtlTable(settings: TtlSettings = {}, api: ApiSpec = spec): TtlTable {
  const off = settings.defaultSeconds === 0;
  const listSeconds = settings.defaultSeconds ?? DEFAULT_TTL_SECONDS.list;
  const overrides = settings.overrides ?? {};
  const rows = new Map<string, { cls: TtlClass; running: number; final: number }>();
  for (const a of Object.values(api.actions)) {
    const cls = ttlClassOf(a.name, api);
    if (!cls) continue;
    let running: number;
    let final: number;
    switch (cls) {
      case 'never':
        running = final = 0;
        break;
      case 'state':
        running = DEFAULT_TTL_SECONDS.running;
        final = DEFAULT_TTL_SECONDS.final;
        break;
      case 'hosts':
        running = final = DEFAULT_TTL_SECONDS.hosts;
        break;
      case 'static':
        running = final = DEFAULT_TTL_SECONDS.static;
        break;
      default:
        running = final = listSeconds;
    }
    if (off) running = final = 0;
    if (cls !== 'never' && Object.prototype.hasOwnProperty.call(overrides, a.name)) running = final = overrides[a.name];
    rows.set(a.name, { cls, running: running * 1000, final: final * 1000 });
  }
  const maxFreshMs = Math.max(0, ...[...rows.values()].map((r) => Math.max(r.running, r.final)));
  return {
    classOf: (action) => rows.get(action)?.cls,
    cacheable: (action) => {
      const r = rows.get(action);
      return r !== undefined && r.cls !== 'never' && (r.running > 0 || r.final > 0);
    },
    freshMs(action, answer) {
      const r = rows.get(action);
      if (!r || r.cls === 'never') return 0;
      if (r.cls !== 'state') return r.final;
      return isFinalAnswer(action, answer) ? r.final : r.running;
    },
    maxFreshMs,
  };
}

/** Problems with `CACHE_TTL_OVERRIDES` entries (unknown action, a write, a key-material read). */
export function overrideProblems(overrides: Readonly<Record<string, number>>, api: ApiSpec = spec): string[] {
  const out: string[] = [];
  for (const name of Object.keys(overrides)) {
    const cls = ttlClassOf(name, api);
    if (!Object.prototype.hasOwnProperty.call(api.actions, name)) out.push(`unknown action ${name}`);
    else if (!cls) out.push(`${name} is a write action (only reads are cached)`);
    else if (cls === 'never') out.push(`${name} can answer private-key material and is never cached`);
  }
  return out;
}
