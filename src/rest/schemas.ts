/**
 * JSON Schema (2020-12, as used by OpenAPI 3.1) derived from the spec: documented members,
 * structures and actions, with the English descriptions of `spec/en.json`. The constraints are
 * exactly the ones `validate.ts` enforces, so the document describes the facade's behaviour.
 */
import en from '../../spec/en.json' with { type: 'json' };
import { actionNames, answeredAsString, getAction, getStructure, outputNullable, structureNames, type MemberSpec } from '../spec';
import { enforcedEnum } from '../spec/validate';

export type JsonSchema = Record<string, unknown>;

interface EnText {
  actions: Record<string, { summary?: string; description?: string; inputs?: Record<string, string>; outputs?: Record<string, string> }>;
  structures: Record<string, { description?: string; members?: Record<string, string> }>;
}
export const enText = en as unknown as EnText;

export type Side = 'input' | 'output';

const PAGING = new Set(['Offset', 'Limit']);

/** Component name of a structure: outputs use the documented name, inputs `<Name>Input` (strict, with required members). */
export function structureSchemaName(name: string, side: Side): string {
  return side === 'input' ? `${name}Input` : name;
}

export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * How `/v1/actions` answers carry times: the upstream's own text, China Standard Time without an
 * offset. Empty (or all zeros) for a time the upstream does not have yet.
 */
export const UPSTREAM_DATE_TIME_NOTE =
  'Date-time as the upstream writes it: "YYYY-MM-DD hh:mm:ss" in China Standard Time (UTC+08:00, no offset written); empty or "0000-00-00 00:00:00" when there is no time yet.';

/** Members typed String whose documented example is a date-time (the same rule as GraphQL's DateTime). */
const DATE_TIME_EXAMPLE = /^(\["?)?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?/;

function scalarSchema(type: string): JsonSchema {
  switch (type) {
    case 'Integer':
      return { type: 'integer' };
    case 'Float':
    case 'Double':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'Timestamp':
      return { type: 'string', description: UPSTREAM_DATE_TIME_NOTE };
    case 'Date':
      return { type: 'string', description: 'Date as the upstream writes it: "YYYY-MM-DD".' };
    default:
      return { type: 'string' };
  }
}

/** Description of a member: the English text, with the documented example when there is one. */
function describe(text: string | undefined, m: MemberSpec): string | undefined {
  const parts: string[] = [];
  if (text) parts.push(text);
  if (m.deprecated) parts.push('Deprecated upstream.');
  return parts.length ? parts.join(' ') : undefined;
}

/**
 * Schema of one member. `owner` names the place (`Action.in`, `Action.out`, or a structure) for
 * enum lookup; `text` is its English description.
 */
export function memberSchema(owner: string, m: MemberSpec, side: Side, text?: string): JsonSchema {
  let item: JsonSchema;
  let dateTime = false;
  const isStructure = getStructure(m.type) !== undefined;
  if (isStructure) {
    item = ref(structureSchemaName(m.type, side));
  } else {
    item = { ...scalarSchema(m.type) };
    delete item.description;
    dateTime = m.type === 'Timestamp' || (m.type === 'String' && m.example !== undefined && DATE_TIME_EXAMPLE.test(m.example));

    if (side === 'output' && answeredAsString(owner, m)) {
      item = { type: ['integer', 'string'], pattern: '^\\d+$' };
    }
    if (side === 'input') {
      const allowed = enforcedEnum(owner, m);
      if (allowed) item.enum = m.type === 'Integer' ? allowed.map(Number) : allowed;
      if (PAGING.has(m.name) && !m.array) {
        if (m.type === 'Integer') item.minimum = 0;
        else item.pattern = '^\\d+$';
        if (m.max !== undefined && m.type === 'Integer') item.maximum = m.max;
      } else if (m.max !== undefined && !m.array && m.type === 'Integer') {
        item.maximum = m.max;
      }
    }
  }
  let schema: JsonSchema = m.array ? { type: 'array', items: item } : item;
  if (m.array && m.max !== undefined && side === 'input') schema.maxItems = m.max;
  if (side === 'output' && outputNullable(owner, m)) {
    if (schema.$ref !== undefined) schema = { anyOf: [schema, { type: 'null' }] };
    else {
      schema = { ...schema, type: [...[schema.type as string | string[]].flat(), 'null'] };
      if (Array.isArray(schema.enum)) schema.enum = [...(schema.enum as unknown[]), null];
    }
  }
  const extra: string[] = [];
  const scalarNote = !isStructure ? ((scalarSchema(m.type).description as string | undefined) ?? (dateTime ? UPSTREAM_DATE_TIME_NOTE : undefined)) : undefined;
  const description = describe(text, m);
  if (description) extra.push(description);
  if (scalarNote) extra.push(scalarNote);
  if (side === 'input' && m.max !== undefined) extra.push(m.array ? `At most ${m.max} items.` : `At most ${m.max}.`);
  if (m.example !== undefined && m.example !== '' && !/[\u3400-\u9fff]/.test(m.example)) extra.push(`Example: ${m.example}`);
  if (extra.length) schema = schema.$ref !== undefined ? { allOf: [schema], description: extra.join(' ') } : { ...schema, description: extra.join(' ') };
  if (m.deprecated) schema.deprecated = true;
  if (m.default !== undefined && side === 'input') schema.default = m.type === 'String' ? String(m.default) : m.default;
  return schema;
}

/** An object schema for a member list. Inputs are strict (additionalProperties false, required). */
export function objectSchema(owner: string, members: readonly MemberSpec[], side: Side, texts: Record<string, string> = {}, omit: readonly string[] = []): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const m of members) {
    if (omit.includes(m.name)) continue;
    properties[m.name] = memberSchema(owner, m, side, texts[m.name]);
    // Outputs: every member the document does not say "may return null" is always present.
    if (side === 'input' ? m.required : !outputNullable(owner, m)) required.push(m.name);
  }
  const schema: JsonSchema = { type: 'object', properties };
  if (required.length) schema.required = required;
  if (side === 'input') schema.additionalProperties = false;
  return schema;
}

export function structureSchema(name: string, side: Side): JsonSchema {
  const s = getStructure(name)!;
  const t = enText.structures[name];
  const schema = objectSchema(name, s.members, side, t?.members ?? {});
  if (t?.description) schema.description = t.description;
  return schema;
}

export function actionRequestSchema(action: string, omit: readonly string[] = []): JsonSchema {
  const a = getAction(action)!;
  return objectSchema(`${action}.in`, a.inputs, 'input', enText.actions[action]?.inputs ?? {}, omit);
}

export const REQUEST_ID_SCHEMA: JsonSchema = { type: 'string', description: 'RequestId of the upstream call (needed when contacting Tencent Cloud support).' };

export function actionResponseSchema(action: string): JsonSchema {
  const a = getAction(action)!;
  const schema = objectSchema(`${action}.out`, a.outputs, 'output', enText.actions[action]?.outputs ?? {});
  (schema.properties as Record<string, JsonSchema>).RequestId = REQUEST_ID_SCHEMA;
  schema.required = [...((schema.required as string[] | undefined) ?? []), 'RequestId'];
  return schema;
}

/** Structures reachable from action inputs (each gets an `<Name>Input` component); for outputs, all of them. */
export function reachableStructures(side: Side): string[] {
  if (side === 'output') return [...structureNames].sort();
  const seen = new Set<string>();
  const walk = (type: string) => {
    const s = getStructure(type);
    if (!s || seen.has(type)) return;
    seen.add(type);
    for (const m of s.members) walk(m.type);
  };
  for (const name of actionNames) for (const m of getAction(name)!.inputs) walk(m.type);
  return [...seen].sort();
}
