/**
 * The GraphQL model of the API: how every documented member becomes a GraphQL field or argument.
 *
 * One derivation feeds both the SDL generator (`scripts/generate-schema.ts`) and the runtime
 * (field resolvers and argument conversion), so the schema and the resolvers cannot drift apart.
 *
 * Type rules ("honest types", issue #3):
 * - ids (members named …Id, …Ids, …Uin) are `ID` whatever the upstream type of that place;
 * - `Limit`/`Offset` are `Int` even where the upstream wants strings;
 * - date-times are the `DateTime` scalar (ISO 8601 with the service's +08:00 offset): members typed
 *   Timestamp, and String members whose documented example is a date-time (`src/spec/times.ts`,
 *   the same rule as the REST resource routes' ISO times);
 * - members with a documented enumeration (reviewed in spec/en.json) get a GraphQL enum field and
 *   keep the raw code in a sibling `…Code` field;
 * - outputs documented "may return null" are nullable, and so are the members whose documented
 *   examples or simulated answers are null (decided member by member in src/spec/answers.ts);
 *   everything else follows the document.
 */
import { spec as defaultSpec, outputNullable, type ActionSpec, type ApiSpec, type MemberSpec } from '../spec';
import english from '../../spec/en.json' with { type: 'json' };
import { fieldName } from '../spec/naming';
import { isDateTimeMember, isoDescription } from '../spec/times';

/** The one rule for time members lives with the spec (REST converts the same members). */
export { isDateTimeMember };

export interface EnglishEnumValue {
  name: string;
  description: string;
}
export interface EnglishEnum {
  name: string | null;
  values: Record<string, EnglishEnumValue>;
  skip?: string;
  extra?: boolean;
  /** Enforce an `extra` enumeration in REST validation too (a complete documented list, e.g. resource types). */
  enforce?: boolean;
  /** Description of the GraphQL enum type; default: the first member's description. */
  description?: string;
}
export interface English {
  actions: Record<string, { summary: string; description: string; inputs: Record<string, string>; outputs: Record<string, string> }>;
  structures: Record<string, { description: string; members: Record<string, string> }>;
  enums: Record<string, EnglishEnum>;
}

export type Conversion = 'none' | 'id' | 'datetime' | 'int' | 'enum';

export interface EnumModel {
  name: string;
  description: string;
  /** Enum value NAME → documented meaning (English). */
  values: Map<string, string>;
}

export interface FieldModel {
  /** GraphQL field or argument name. */
  name: string;
  /** Documented member name (key in upstream JSON). */
  member: string;
  spec: MemberSpec;
  /** GraphQL type reference, e.g. `[DateTime!]` or `ID!`. */
  type: string;
  conversion: Conversion;
  /** For `enum` conversion: raw value (as string) → enum value name, and back. */
  enumType?: string;
  toEnum?: ReadonlyMap<string, string>;
  fromEnum?: ReadonlyMap<string, string>;
  /** The enum field's raw-code sibling: same member, raw scalar. */
  rawOf?: string;
  description: string;
  deprecated?: string;
}

export interface ObjectModel {
  name: string;
  description: string;
  fields: FieldModel[];
}

export interface ActionModel {
  action: ActionSpec;
  /** Arguments (inputs) in documented order. */
  args: FieldModel[];
  /** Output type `<Action>Response`. */
  response: ObjectModel;
}

export interface GraphQLModel {
  objects: Map<string, ObjectModel>;
  inputs: Map<string, ObjectModel>;
  enums: Map<string, EnumModel>;
  actions: Map<string, ActionModel>;
  /** typeName → fieldName → field, for the runtime field resolver. */
  fieldIndex: Map<string, Map<string, FieldModel>>;
}

export function isIdMember(name: string): boolean {
  return /(Id|Ids|ID|IDs|Uin)$/.test(name) && !/IdList$/.test(name);
}

function scalarOf(m: MemberSpec): { type: string; conversion: Conversion } {
  if (isIdMember(m.name)) return { type: 'ID', conversion: 'id' };
  if (m.name === 'Limit' || m.name === 'Offset') return { type: 'Int', conversion: 'int' };
  if (isDateTimeMember(m)) return { type: 'DateTime', conversion: 'datetime' };
  switch (m.type) {
    case 'Integer':
      return { type: 'Int', conversion: 'none' };
    case 'Boolean':
      return { type: 'Boolean', conversion: 'none' };
    case 'Float':
    case 'Double':
      return { type: 'Float', conversion: 'none' };
    default:
      return { type: 'String', conversion: 'none' };
  }
}

function wrap(base: string, m: MemberSpec, nonNull: boolean): string {
  const inner = m.array ? `[${base}!]` : base;
  return nonNull ? `${inner}!` : inner;
}

export function buildModel(api: ApiSpec = defaultSpec, en: English = english as English): GraphQLModel {
  const objects = new Map<string, ObjectModel>();
  const inputs = new Map<string, ObjectModel>();
  const enums = new Map<string, EnumModel>();
  const actions = new Map<string, ActionModel>();
  const fieldIndex = new Map<string, Map<string, FieldModel>>();

  // Structures referenced (transitively) from action inputs need GraphQL input types.
  const inputStructures = new Set<string>();
  const visitInput = (type: string) => {
    if (!(type in api.structures) || inputStructures.has(type)) return;
    inputStructures.add(type);
    for (const m of api.structures[type].members) visitInput(m.type);
  };
  for (const a of Object.values(api.actions)) for (const m of a.inputs) visitInput(m.type);

  const enumFor = (owner: string, m: MemberSpec): { type: string; toEnum: Map<string, string>; fromEnum: Map<string, string> } | undefined => {
    const entry = en.enums[`${owner}.${m.name}`];
    if (!entry || !entry.name || entry.skip) return undefined;
    let model = enums.get(entry.name);
    if (!model) {
      model = { name: entry.name, description: '', values: new Map() };
      enums.set(entry.name, model);
    }
    // A type defined by its own description (resource types) lists its values in the order of its
    // longest list, not in the order a subset happened to be seen first.
    if (entry.description && Object.keys(entry.values).length > model.values.size) {
      const ordered = new Map(Object.values(entry.values).map((v) => [v.name, model!.values.get(v.name) ?? v.description] as const));
      for (const [name, d] of model.values) if (!ordered.has(name)) ordered.set(name, d);
      model.values = ordered;
    }
    const toEnum = new Map<string, string>();
    const fromEnum = new Map<string, string>();
    for (const [raw, v] of Object.entries(entry.values)) {
      const existing = model.values.get(v.name);
      if (existing === undefined) model.values.set(v.name, v.description);
      toEnum.set(raw, v.name);
      fromEnum.set(v.name, raw);
    }
    // Several members share one type; the type's own description (when given) says what the
    // concept is rather than what the first member that uses it happens to say.
    if (entry.description) model.description = entry.description;
    else if (!model.description) model.description = describe(en, owner, m);
    return { type: entry.name, toEnum, fromEnum };
  };

  /** Builds the field(s) of one member; an enum member yields the enum field and its raw sibling. */
  const fieldsOf = (owner: string, m: MemberSpec, side: 'input' | 'output', typeName: (structure: string) => string): FieldModel[] => {
    let description = describe(en, owner, m);
    const deprecated = m.deprecated ? 'Documented as being phased out by the upstream API.' : undefined;
    const name = fieldName(m.name);
    const nonNull = side === 'input' ? m.required : !outputNullable(owner, m);
    if (m.type in api.structures) {
      return [{ name, member: m.name, spec: m, type: wrap(typeName(m.type), m, nonNull), conversion: 'none', description, deprecated }];
    }
    const scalar = scalarOf(m);
    // A DateTime field is ISO 8601 both ways: the upstream's format note would mislead.
    if (scalar.conversion === 'datetime') description = isoDescription(description);
    const e = enumFor(owner, m);
    // The upstream answers "" (or "0000-00-00 00:00:00", "--") for a time it does not have yet, e.g.
    // the validity of a pending certificate, even where the document does not say "may be null":
    // output date-times are nullable, with null standing for that empty value.
    const outputDateTime = side === 'output' && scalar.conversion === 'datetime';
    if (!e) {
      const type = outputDateTime ? (m.array ? '[DateTime]' : 'DateTime') : wrap(scalar.type, m, nonNull);
      return [{ name, member: m.name, spec: m, type, conversion: scalar.conversion, description, deprecated }];
    }
    if (side === 'input') {
      return [{ name, member: m.name, spec: m, type: wrap(e.type, m, nonNull), conversion: 'enum', enumType: e.type, toEnum: e.toEnum, fromEnum: e.fromEnum, description, deprecated }];
    }
    // Output: the enum (nullable: an undocumented code has no enum value) and the raw code.
    return [
      { name, member: m.name, spec: m, type: wrap(e.type, m, false), conversion: 'enum', enumType: e.type, toEnum: e.toEnum, fromEnum: e.fromEnum, description, deprecated },
      {
        name: `${name}Code`,
        member: m.name,
        spec: m,
        type: wrap(scalar.type === 'ID' ? 'String' : scalar.type, m, nonNull),
        conversion: scalar.conversion === 'id' ? 'none' : scalar.conversion,
        rawOf: name,
        description: `Raw upstream code of \`${name}\`. ${description}`,
        deprecated,
      },
    ];
  };

  const index = (obj: ObjectModel) => {
    const seen = new Map<string, FieldModel>();
    for (const f of obj.fields) {
      if (seen.has(f.name)) throw new Error(`field name collision ${obj.name}.${f.name}`);
      seen.set(f.name, f);
    }
    fieldIndex.set(obj.name, seen);
  };

  for (const s of Object.values(api.structures)) {
    const description = en.structures[s.name]?.description ?? '';
    const obj: ObjectModel = { name: s.name, description, fields: s.members.flatMap((m) => fieldsOf(s.name, m, 'output', (t) => t)) };
    objects.set(s.name, obj);
    index(obj);
    if (inputStructures.has(s.name)) {
      const input: ObjectModel = {
        name: `${s.name}Input`,
        description,
        fields: s.members.flatMap((m) => fieldsOf(s.name, m, 'input', (t) => `${t}Input`)),
      };
      inputs.set(input.name, input);
      fieldIndex.set(input.name, new Map(input.fields.map((f) => [f.name, f])));
    }
  }

  for (const a of Object.values(api.actions)) {
    const args = a.inputs.flatMap((m) => fieldsOf(`${a.name}.in`, m, 'input', (t) => `${t}Input`));
    const fields = a.outputs.flatMap((m) => fieldsOf(`${a.name}.out`, m, 'output', (t) => t));
    fields.push({
      name: 'requestId',
      member: 'RequestId',
      spec: { name: 'RequestId', type: 'String', array: false, required: false, nullable: false, deprecated: false, description: '' },
      type: 'String!',
      conversion: 'none',
      description: 'Identifier the upstream service gave this call; quote it when reporting a problem.',
    });
    const response: ObjectModel = { name: `${a.name}Response`, description: `Result of ${a.name}. ${en.actions[a.name]?.summary ?? ''}`.trim(), fields };
    objects.set(response.name, response);
    index(response);
    actions.set(a.name, { action: a, args, response });
  }

  return { objects, inputs, enums, actions, fieldIndex };
}

function describe(en: English, owner: string, m: MemberSpec): string {
  if (owner.endsWith('.in')) return en.actions[owner.slice(0, -3)]?.inputs?.[m.name] ?? '';
  if (owner.endsWith('.out')) return en.actions[owner.slice(0, -4)]?.outputs?.[m.name] ?? '';
  return en.structures[owner]?.members?.[m.name] ?? '';
}

/**
 * A model built by `build` on the first read of any of its maps, then kept. The server, its
 * resolvers and its plugins read the model only when a request needs it (arguments to convert,
 * a field of a documented structure to read), so a start-up and `{ __typename }` never build it.
 */
export function lazyModel(build: () => GraphQLModel): GraphQLModel {
  let built: GraphQLModel | undefined;
  const get = () => (built ??= build());
  return {
    get objects() {
      return get().objects;
    },
    get inputs() {
      return get().inputs;
    },
    get enums() {
      return get().enums;
    },
    get actions() {
      return get().actions;
    },
    get fieldIndex() {
      return get().fieldIndex;
    },
  };
}

let cached: GraphQLModel | undefined;
let builds = 0;
/** The model of the committed spec: one per process, built on first use (see `lazyModel`). */
export function model(): GraphQLModel {
  cached ??= lazyModel(() => {
    builds++;
    return buildModel();
  });
  return cached;
}

/** How many times this process built `model()`'s maps (0 or 1; tests check what builds it). */
export function defaultModelBuilds(): number {
  return builds;
}
