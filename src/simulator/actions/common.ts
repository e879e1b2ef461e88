import type { SimState } from '../state';
import { fail } from '../errors';

export type Params = Record<string, any>;

export interface HandlerContext {
  state: SimState;
  params: Params;
  /** X-TC-Region, when sent. */
  region?: string;
  /** Account of the calling key. */
  uin: string;
  requestId: string;
  /** Base URL the simulator is reachable at (for download links). */
  baseUrl: string;
}

export type Handler = (ctx: HandlerContext) => Record<string, unknown>;

/** Offset/Limit paging; accepts numbers or numeric strings (some actions type them as String). */
export function page<T>(items: T[], offset: unknown, limit: unknown, defaultLimit: number, maxLimit: number): T[] {
  const o = toInt(offset, 'Offset', 0);
  let l = toInt(limit, 'Limit', defaultLimit);
  if (o < 0) fail('InvalidParameterValue', 'The value of parameter `Offset` must be >= 0.');
  if (l < 0) fail('InvalidParameterValue', 'The value of parameter `Limit` must be >= 0.');
  if (l === 0) l = defaultLimit;
  l = Math.min(l, maxLimit);
  return items.slice(o, o + l);
}

/**
 * Offset and Limit of the detail lists, read leniently as the service does there: a Limit of 0
 * or below means the default page, and it is capped at `maxLimit`.
 */
export function detailWindow(p: { Offset?: unknown; Limit?: unknown }, defaultLimit: number, maxLimit: number): { offset: number; limit: number } {
  const offset = toInt(p.Offset, 'Offset', 0);
  const limit = toInt(p.Limit, 'Limit', defaultLimit);
  return { offset, limit: Math.min(limit <= 0 ? defaultLimit : limit, maxLimit) };
}

export function toInt(v: unknown, name: string, dflt: number): number {
  if (v === undefined || v === null || v === '') return dflt;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  fail('InvalidParameterValue', `The value of parameter \`${name}\` must be an integer.`);
}

export function uniq<T>(items: T[]): T[] {
  return [...new Set(items)];
}

export const DOMAIN_RE = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;
