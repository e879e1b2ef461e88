/**
 * Which documented members are times, derived from the spec, and an answer's times rewritten as
 * ISO 8601 with the offset (src/time/upstream-time.ts).
 *
 * The rule is the one GraphQL's `DateTime` fields are built from (src/graphql/model.ts uses this
 * function): a member typed Timestamp, or a String member whose documented example is a
 * date-time (or, without an example, whose name ends in `Time`). The documentation types most
 * times as String, so the example is what tells.
 *
 * `timesToIso` walks an answer by the documented shape of the action's outputs (nested
 * structures and arrays included) and leaves every member it does not know alone, so REST can
 * apply it to an upstream answer before adding members of its own.
 */
import { upstreamToIso } from '../time/upstream-time';
import { getAction, getStructure, spec } from './index';
import type { MemberSpec } from './types';

const DATE_TIME_EXAMPLE = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?/;

/**
 * A member typed Timestamp, or a String member whose documented example (first item for arrays)
 * is a date-time, or, when the documentation gives no example, whose name says it is a time
 * (`…Time`, as every documented time member is named). Where there is an example it decides:
 * `AsyncCacheTime` ("10"), `HostingConfig.ReplaceStartTime` ("12:00:00") and
 * `DescribePackages.ExpireTime` (a sort order, "asc") are not date-times. The name rule reaches one
 * member today, `DeployRecord.CreateTime` (documented as a creation time, answered like the other
 * record times).
 */
export function isDateTimeMember(m: MemberSpec): boolean {
  if (m.type === 'Timestamp') return true;
  if (m.type !== 'String') return false;
  if (m.example === undefined) return /Time$/.test(m.name);
  return DATE_TIME_EXAMPLE.test(m.example.replace(/^\["?/, ''));
}

/**
 * A description or example as the ISO surfaces (GraphQL, REST resource routes) carry it: upstream
 * times ("2018-09-18 20:00:00") rewritten in ISO 8601, and the upstream's format
 * (`, "YYYY-MM-DD hh:mm:ss"`) left out of the English text, since the type (GraphQL's `DateTime`,
 * OpenAPI's `format: date-time` and its note) says what the member carries.
 */
export function isoDescription(text: string): string {
  return text.replace(/,? (?:as )?"YYYY-MM-DD hh:mm:ss"/g, '').replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/g, (t) => upstreamToIso(t) ?? t);
}

/** A documented place with members: an action's outputs or a structure. */
export type AnswerShape = { action: string } | { structure: string };

function membersOf(shape: AnswerShape): readonly MemberSpec[] {
  if ('action' in shape) return getAction(shape.action)?.outputs ?? [];
  return getStructure(shape.structure)?.members ?? [];
}

const holdsTimes = new Map<string, boolean>();

/** Whether a structure has time members, itself or in the structures it contains. */
export function structureHasTimes(name: string): boolean {
  let known = holdsTimes.get(name);
  if (known === undefined) {
    known = reachesTimes(name, new Set());
    holdsTimes.set(name, known);
  }
  return known;
}

/** Not cached: under a cycle a structure's answer depends on where the walk came from. */
function reachesTimes(name: string, seen: Set<string>): boolean {
  const s = getStructure(name);
  if (!s || seen.has(name)) return false;
  seen.add(name);
  return s.members.some((m) => isDateTimeMember(m) || reachesTimes(m.type, seen));
}

/** Whether an answer of this shape can carry a time anywhere. */
export function shapeHasTimes(shape: AnswerShape): boolean {
  return membersOf(shape).some((m) => isDateTimeMember(m) || structureHasTimes(m.type));
}

/**
 * The time members of every documented place: `<Action>.out` and structure names → member names.
 * What the REST resource routes convert and the OpenAPI document marks `format: date-time`.
 */
export function timeTable(): ReadonlyMap<string, readonly string[]> {
  const table = new Map<string, string[]>();
  for (const [name, a] of Object.entries(spec.actions)) {
    const times = a.outputs.filter(isDateTimeMember).map((m) => m.name);
    if (times.length) table.set(`${name}.out`, times);
  }
  for (const [name, s] of Object.entries(spec.structures)) {
    const times = s.members.filter(isDateTimeMember).map((m) => m.name);
    if (times.length) table.set(name, times);
  }
  return table;
}

function timeToIso(v: unknown): unknown {
  return typeof v === 'string' ? upstreamToIso(v) : v;
}

function walk(members: readonly MemberSpec[], value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const m of members) {
    const v = record[m.name];
    if (v === null || v === undefined) continue;
    let next: unknown = v;
    if (isDateTimeMember(m)) {
      next = Array.isArray(v) ? v.map(timeToIso) : timeToIso(v);
    } else if (structureHasTimes(m.type)) {
      const inner = getStructure(m.type)!.members;
      next = Array.isArray(v) ? v.map((item) => walk(inner, item)) : walk(inner, v);
    }
    if (next !== v) (out ??= { ...record })[m.name] = next;
  }
  return out ?? record;
}

/**
 * The answer with every documented time as ISO 8601 with the offset ("" and the all-zero date
 * become null, unreadable text stays as it is). Returns a copy where something changed; the
 * input (which may be a shared cached answer) is never modified.
 */
export function timesToIso<T>(shape: AnswerShape, value: T): T {
  return walk(membersOf(shape), value) as T;
}
