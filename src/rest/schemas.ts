/**
 * JSON Schema (2020-12, as used by OpenAPI 3.1) derived from the spec: documented members,
 * structures and actions, with the English descriptions of `spec/en.json`. The constraints are
 * exactly the ones `validate.ts` enforces, so the document describes the facade's behaviour.
 */
import en from '../../spec/en.json' with { type: 'json' };
import { actionNames, answeredAsString, getAction, getStructure, outputNullable, structureNames, type MemberSpec } from '../spec';
import { isDateTimeMember, isoDescription, shapeHasTimes, structureHasTimes } from '../spec/times';
import { enforcedEnum } from '../spec/validate';
import { ISO_DATE_TIME_NOTE, UPSTREAM_DATE_TIME_NOTE, type TimeFormat } from './times';

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

export { UPSTREAM_DATE_TIME_NOTE, ISO_DATE_TIME_NOTE };

/**
 * Component name of an output schema (a structure, or `<Action>Response`) in a time format: the
 * resource routes' form (`iso`) of a schema that holds times is a component of its own,
 * `<Name>Iso`; schemas without times are shared by both forms.
 */
export function outputSchemaName(name: string, times: TimeFormat): string {
  if (times === 'upstream') return name;
  const action = /^(\w+)Response$/.exec(name)?.[1];
  const hasTimes = action !== undefined && getAction(action) ? shapeHasTimes({ action }) : structureHasTimes(name);
  return hasTimes ? `${name}${ISO_SUFFIX}` : name;
}

/** The suffix of the resource routes' form of a schema with times. */
export const ISO_SUFFIX = 'Iso';


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
 * enum lookup; `text` is its English description. `times` is the time format of an output: the
 * upstream's text (`/v1/actions`) or ISO 8601 with the offset (resource routes), where a time
 * member is `format: date-time` and null when the upstream has no time yet, as GraphQL answers it.
 */
export function memberSchema(owner: string, m: MemberSpec, side: Side, text?: string, times: TimeFormat = 'upstream'): JsonSchema {
  let item: JsonSchema;
  const isStructure = getStructure(m.type) !== undefined;
  const dateTime = !isStructure && isDateTimeMember(m);
  const iso = side === 'output' && times === 'iso';
  if (isStructure) {
    item = ref(side === 'input' ? structureSchemaName(m.type, side) : outputSchemaName(m.type, times));
  } else if (dateTime && iso) {
    item = { type: ['string', 'null'], format: 'date-time' };
  } else {
    item = { ...scalarSchema(m.type) };
    delete item.description;

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
      schema = { ...schema, type: [...new Set([...[schema.type as string | string[]].flat(), 'null'])] };
      if (Array.isArray(schema.enum)) schema.enum = [...(schema.enum as unknown[]), null];
    }
  }
  const extra: string[] = [];
  const scalarNote = dateTime ? (iso ? ISO_DATE_TIME_NOTE : UPSTREAM_DATE_TIME_NOTE) : !isStructure ? (scalarSchema(m.type).description as string | undefined) : undefined;
  const description = describe(text, m);
  if (description) extra.push(iso && dateTime ? isoDescription(description) : description);
  if (scalarNote) extra.push(scalarNote);
  if (side === 'input' && m.max !== undefined) extra.push(m.array ? `At most ${m.max} items.` : `At most ${m.max}.`);
  if (m.example !== undefined && m.example !== '' && !/[\u3400-\u9fff]/.test(m.example)) extra.push(`Example: ${iso && dateTime ? isoDescription(m.example) : m.example}`);
  if (extra.length) schema = schema.$ref !== undefined ? { allOf: [schema], description: extra.join(' ') } : { ...schema, description: extra.join(' ') };
  if (m.deprecated) schema.deprecated = true;
  if (m.default !== undefined && side === 'input') schema.default = m.type === 'String' ? String(m.default) : m.default;
  return schema;
}

/** An object schema for a member list. Inputs are strict (additionalProperties false, required). */
export function objectSchema(owner: string, members: readonly MemberSpec[], side: Side, texts: Record<string, string> = {}, omit: readonly string[] = [], times: TimeFormat = 'upstream'): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const m of members) {
    if (omit.includes(m.name)) continue;
    properties[m.name] = memberSchema(owner, m, side, texts[m.name], times);
    // Outputs: every member the document does not say "may return null" is always present.
    if (side === 'input' ? m.required : !outputNullable(owner, m)) required.push(m.name);
  }
  const schema: JsonSchema = { type: 'object', properties };
  if (required.length) schema.required = required;
  if (side === 'input') schema.additionalProperties = false;
  return schema;
}

/** The schema of a documented structure; `times: 'iso'` is the resource routes' form (see `outputSchemaName`). */
export function structureSchema(name: string, side: Side, times: TimeFormat = 'upstream'): JsonSchema {
  const s = getStructure(name)!;
  const t = enText.structures[name];
  const schema = objectSchema(name, s.members, side, t?.members ?? {}, [], times);
  const notes = [t?.description, times === 'iso' ? `The ${name} structure as the resource routes answer it: times in ISO 8601 with the offset (POST /v1/actions answers use ${name}, with the upstream's time text).` : undefined];
  const description = notes.filter(Boolean).join('\n\n');
  if (description) schema.description = description;
  return schema;
}

export function actionRequestSchema(action: string, omit: readonly string[] = []): JsonSchema {
  const a = getAction(action)!;
  return objectSchema(`${action}.in`, a.inputs, 'input', enText.actions[action]?.inputs ?? {}, omit);
}

export const REQUEST_ID_SCHEMA: JsonSchema = { type: 'string', description: 'RequestId of the upstream call (needed when contacting Tencent Cloud support).' };

/** The documented outputs plus RequestId; `times: 'iso'` is the resource routes' form (see `outputSchemaName`). */
export function actionResponseSchema(action: string, times: TimeFormat = 'upstream'): JsonSchema {
  const a = getAction(action)!;
  const schema = objectSchema(`${action}.out`, a.outputs, 'output', enText.actions[action]?.outputs ?? {}, [], times);
  (schema.properties as Record<string, JsonSchema>).RequestId = REQUEST_ID_SCHEMA;
  schema.required = [...((schema.required as string[] | undefined) ?? []), 'RequestId'];
  if (times === 'iso') schema.description = `The ${action} response as the resource routes answer it: times in ISO 8601 with the offset (POST /v1/actions/${action} answers ${action}Response, with the upstream's time text).`;
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
