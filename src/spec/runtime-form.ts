/**
 * The on-disk form of the runtime spec (spec/runtime/*.json, written by `npm run runtime:generate`)
 * and its decoding. The Lambda bundles load those files instead of spec/*.json
 * (scripts/build-lambda.ts): the objects they hold are the spec without documentation text
 * (`compactSpec`/`compactEnglish` in scripts/generate-runtime.ts), and most of what is left is
 * the same default over and over (`"description":""`, `"deprecated":false`, enum meanings ``).
 * So the file keeps only what is not a default, members positionally, and `decodeRuntimeSpec`
 * puts the defaults back: runtime code sees exactly the objects `compactSpec` builds
 * (test/unit/spec/runtime-spec.test.ts compares them byte for byte).
 *
 * The encoders refuse a value they cannot carry (documentation text, an unknown member field)
 * instead of dropping it, so a new spec field cannot vanish from the runtime silently.
 */
import type { ActionSpec, ApiSpec, MemberSpec, StructureSpec } from './types';

/** `[name, type, flags?, extras?]`; flags: array 1, required 2, nullable 4, deprecated 8. */
export type RuntimeMember = [name: string, type: string, flags?: number, extras?: RuntimeMemberExtras];

export interface RuntimeMemberExtras {
  max?: number;
  default?: number;
  example?: string;
  /** The enumerated values (their meanings are documentation). */
  enum?: string[];
}

export interface RuntimeAction {
  rateLimit: number;
  region: ActionSpec['region'];
  kind: ActionSpec['kind'];
  /** A deprecated action: its replacement, or `true` when none is named. */
  deprecated?: string | true;
  inputs: RuntimeMember[];
  outputs: RuntimeMember[];
}

export interface RuntimeStructure {
  usedBy: string[];
  /** Only when true. */
  input?: true;
  members: RuntimeMember[];
}

export interface RuntimeSpecFile {
  service: ApiSpec['service'];
  version: ApiSpec['version'];
  host: ApiSpec['host'];
  sourceSha256: string;
  actions: Record<string, RuntimeAction>;
  structures: Record<string, RuntimeStructure>;
}

const FLAGS = [
  ['array', 1],
  ['required', 2],
  ['nullable', 4],
  ['deprecated', 8],
] as const;

/** The member fields the positional form carries; anything else is refused. */
const MEMBER_KEYS = new Set(['name', 'type', 'array', 'required', 'nullable', 'deprecated', 'description', 'max', 'default', 'example', 'enum']);

function refuse(where: string, what: string): never {
  throw new Error(`runtime spec: ${where}: ${what} has no runtime form (documentation belongs in spec/*.json only)`);
}

function encodeMember(where: string, m: MemberSpec): RuntimeMember {
  for (const key of Object.keys(m)) if (!MEMBER_KEYS.has(key)) refuse(`${where}.${m.name}`, `field ${key}`);
  if (m.description !== '') refuse(`${where}.${m.name}`, 'a description');
  let flags = 0;
  for (const [key, bit] of FLAGS) if (m[key]) flags |= bit;
  const extras: RuntimeMemberExtras = {};
  if (m.max !== undefined) extras.max = m.max;
  if (m.default !== undefined) extras.default = m.default;
  if (m.example !== undefined) extras.example = m.example;
  if (m.enum !== undefined) {
    if (m.enum.some((e) => e.meaning !== '')) refuse(`${where}.${m.name}`, 'an enum meaning');
    extras.enum = m.enum.map((e) => e.value);
  }
  if (Object.keys(extras).length > 0) return [m.name, m.type, flags, extras];
  return flags === 0 ? [m.name, m.type] : [m.name, m.type, flags];
}

/** The member as `compactSpec` builds it (same keys in the same order). */
function decodeMember([name, type, flags = 0, extras]: RuntimeMember): MemberSpec {
  const m: MemberSpec = { name, type, array: (flags & 1) !== 0, required: (flags & 2) !== 0, nullable: (flags & 4) !== 0, deprecated: (flags & 8) !== 0 } as MemberSpec;
  if (extras?.max !== undefined) m.max = extras.max;
  if (extras?.default !== undefined) m.default = extras.default;
  m.description = '';
  if (extras?.example !== undefined) m.example = extras.example;
  if (extras?.enum !== undefined) m.enum = extras.enum.map((value) => ({ value, meaning: '' }));
  return m;
}

/** The file form of a spec without documentation text (`compactSpec`). */
export function encodeRuntimeSpec(api: ApiSpec): RuntimeSpecFile {
  if (api.commonErrors.length || api.businessErrors.length) refuse('spec', 'an error table');
  const actions = Object.fromEntries(
    Object.entries(api.actions).map(([key, a]): [string, RuntimeAction] => {
      if (a.name !== key) refuse(key, `the name ${a.name}`);
      if (a.title !== '' || a.description !== '' || a.errors.length || a.examples.length || a.rateLimitNote !== undefined) refuse(key, 'documentation');
      if (a.deprecated && a.deprecated.reason !== '') refuse(key, 'a deprecation reason');
      const out: RuntimeAction = { rateLimit: a.rateLimit, region: a.region, kind: a.kind, inputs: a.inputs.map((m) => encodeMember(`${key}.in`, m)), outputs: a.outputs.map((m) => encodeMember(`${key}.out`, m)) };
      if (a.deprecated) out.deprecated = a.deprecated.replacement ?? true;
      return [key, out];
    }),
  );
  const structures = Object.fromEntries(
    Object.entries(api.structures).map(([key, s]): [string, RuntimeStructure] => {
      if (s.name !== key) refuse(key, `the name ${s.name}`);
      if (s.description !== '') refuse(key, 'a description');
      return [key, { usedBy: s.usedBy, ...(s.input ? { input: true as const } : {}), members: s.members.map((m) => encodeMember(key, m)) }];
    }),
  );
  return { service: api.service, version: api.version, host: api.host, sourceSha256: api.sourceSha256, actions, structures };
}

/** The spec the runtime uses, from its file form: what `compactSpec` builds, defaults restored. */
export function decodeRuntimeSpec(file: RuntimeSpecFile): ApiSpec {
  const actions = Object.fromEntries(
    Object.entries(file.actions).map(([name, a]): [string, ActionSpec] => {
      const action: ActionSpec = {
        name,
        title: '',
        description: '',
        rateLimit: a.rateLimit,
        region: a.region,
        kind: a.kind,
        inputs: a.inputs.map(decodeMember),
        outputs: a.outputs.map(decodeMember),
        errors: [],
        examples: [],
      };
      if (a.deprecated !== undefined) action.deprecated = a.deprecated === true ? { reason: '' } : { reason: '', replacement: a.deprecated };
      return [name, action];
    }),
  );
  const structures = Object.fromEntries(
    Object.entries(file.structures).map(([name, s]): [string, StructureSpec] => [name, { name, description: '', usedBy: s.usedBy, input: s.input === true, members: s.members.map(decodeMember) }]),
  );
  return { service: file.service, version: file.version, host: file.host, sourceSha256: file.sourceSha256, commonErrors: [], businessErrors: [], actions, structures };
}

// ---- English names -------------------------------------------------------------------------------

/** The parts of spec/en.json the runtime reads (src/graphql/model.ts `English`, structurally). */
export interface RuntimeEnglishSource {
  actions: Record<string, { summary: string; description: string; inputs: Record<string, string>; outputs: Record<string, string> }>;
  structures: Record<string, { description: string; members: Record<string, string> }>;
  /** Besides `name` and `values`, an entry's flags and notes (`skip`, `extra`, ...) are kept as they are. */
  enums: Record<string, { name: string | null; values: Record<string, { name: string; description: string }> }>;
}

export interface RuntimeEnglishFile {
  /** Action name → its one-line summary (`GET /v1/actions` lists it). */
  summaries: Record<string, string>;
  /** The distinct value tables (raw value → value name); many members share one (status codes...). */
  tables: Record<string, string>[];
  /** Enum key → the entry, with `values` the index of its table in `tables`. */
  enums: Record<string, Record<string, unknown> & { values: number }>;
}

export function encodeRuntimeEnglish(en: RuntimeEnglishSource): RuntimeEnglishFile {
  if (Object.keys(en.structures).length) refuse('en', 'structure texts');
  const summaries = Object.fromEntries(
    Object.entries(en.actions).map(([name, a]) => {
      if (a.description !== '' || Object.keys(a.inputs).length || Object.keys(a.outputs).length || Object.keys(a).length !== 4) refuse(`en.${name}`, 'action texts');
      return [name, a.summary];
    }),
  );
  const tables: Record<string, string>[] = [];
  const tableIndex = new Map<string, number>();
  const enums = Object.fromEntries(
    Object.entries(en.enums).map(([key, e]) => {
      const table = Object.fromEntries(
        Object.entries(e.values).map(([raw, v]) => {
          if (v.description !== '' || Object.keys(v).length !== 2) refuse(`en.${key}.${raw}`, 'a value description');
          return [raw, v.name];
        }),
      );
      const text = JSON.stringify(table);
      let index = tableIndex.get(text);
      if (index === undefined) {
        index = tables.push(table) - 1;
        tableIndex.set(text, index);
      }
      return [key, { ...e, values: index }];
    }),
  );
  return { summaries, tables, enums };
}

export function decodeRuntimeEnglish(file: RuntimeEnglishFile): RuntimeEnglishSource {
  return {
    actions: Object.fromEntries(Object.entries(file.summaries).map(([name, summary]) => [name, { summary, description: '', inputs: {}, outputs: {} }])),
    structures: {},
    enums: Object.fromEntries(
      Object.entries(file.enums).map(([key, e]) => [
        key,
        { ...(e as object), values: Object.fromEntries(Object.entries(file.tables[e.values]).map(([raw, name]) => [raw, { name, description: '' }])) } as RuntimeEnglishSource['enums'][string],
      ]),
    ),
  };
}
