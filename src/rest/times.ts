/**
 * Times on the REST facade. The resource routes answer every documented time as ISO 8601 with
 * the offset, as GraphQL does (`src/spec/times.ts` says which members are times; the same rule
 * as GraphQL's DateTime). `POST /v1/actions/{Action}` is the raw form of the API and passes the
 * upstream's "YYYY-MM-DD hh:mm:ss" (UTC+08:00) through unchanged.
 *
 * The conversion sits on the upstream caller a resource route gets: every answer a route reads
 * is converted by its action's documented outputs before the route looks at it, so a new route
 * cannot forget it, and members the route adds (State, Location, …) are never touched.
 */
import { timesToIso } from '../spec/times';
import type { UpstreamCaller } from '../upstream/caller';

/** How the answers of a route carry times. */
export type TimeFormat = 'iso' | 'upstream';

/** The caller with every answer's documented times in ISO 8601 with the offset (the answer itself is not modified). */
export function withIsoTimes(upstream: UpstreamCaller): UpstreamCaller {
  return {
    async call(action, params, options) {
      return timesToIso({ action }, await upstream.call(action, params, options));
    },
  };
}

/**
 * What the OpenAPI document and the README say about times.
 * `UPSTREAM`: /v1/actions answers; `ISO`: the resource routes' answers.
 */
export const UPSTREAM_DATE_TIME_NOTE =
  'Date-time as the upstream writes it: "YYYY-MM-DD hh:mm:ss" in China Standard Time (UTC+08:00, no offset written); empty, "0000-00-00 00:00:00" or "--" when there is no time yet.';
export const ISO_DATE_TIME_NOTE =
  'Date-time in ISO 8601 with the offset written (RFC 3339), e.g. "2025-12-02T07:59:59+08:00", as GraphQL\'s DateTime answers it; null when the upstream has no time yet ("", "0000-00-00 00:00:00" or "--").';
