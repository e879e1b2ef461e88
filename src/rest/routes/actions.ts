/**
 * The generic action route: every documented action is callable as `POST /v1/actions/{Action}`
 * with its documented JSON parameters, validated against the spec before anything is sent.
 * The answer is the documented response without the `Response` envelope, `RequestId` included.
 */
import en from '../../../spec/en.json' with { type: 'json' };
import { actionNames, getAction } from '../../spec';
import { notFound } from '../errors';
import { json } from '../http';
import { validateParams } from '../params';
import type { Route } from '../router';

const ACTION_NAME = /^[A-Z][A-Za-z0-9]{0,127}$/;
const enActions = (en as unknown as { actions: Record<string, { summary?: string }> }).actions;

export const actionRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/actions/{Action}',
    doc: {
      operationId: 'callAction',
      summary: 'Call any documented action',
      description:
        'Calls the SSL API action named in the path with the documented JSON parameters (PascalCase). The body is validated against the specification first: unknown members, missing required members, wrong JSON types, arrays longer than the documented maximum, page sizes above the documented maximum and values outside documented enumerations are refused with 400 and the offending field paths. The answer is the documented response without the envelope, including the upstream RequestId.',
      tags: ['Actions'],
      actions: actionNames,
      pathParams: [{ name: 'Action', kind: 'action', description: 'Action name, e.g. DescribeCertificates' }],
      requestBody: { source: { component: 'ActionParameters' }, required: false, description: 'The documented parameters of the action; an empty body means {}.' },
      responses: { '200': { description: 'The documented response of the action, plus RequestId.', body: { component: 'ActionResponse' } } },
      errors: [404, 409, 413, 415],
    },
    // The raw form of the API: times stay the upstream's "YYYY-MM-DD hh:mm:ss" (UTC+08:00).
    times: 'upstream',
    actionsOf(params) {
      const name = safeDecode(params.Action);
      return name !== undefined && ACTION_NAME.test(name) && getAction(name) ? [name] : [];
    },
    async handle(ctx) {
      const raw = ctx.params.Action;
      const name = safeDecode(raw);
      if (name === undefined || !ACTION_NAME.test(name) || !getAction(name)) {
        throw notFound(`Unknown action ${JSON.stringify((name ?? raw).slice(0, 128))}: GET /v1/actions lists the ${actionNames.length} documented actions`, {
          action: (name ?? raw).slice(0, 128),
        });
      }
      const body = ctx.body();
      const params = validateParams(name, (body === undefined ? {} : body) as Record<string, unknown>);
      const res = await ctx.upstream.call(name, params);
      return json(200, res, ctx.req.requestId);
    },
  },
  {
    method: 'GET',
    path: '/v1/actions',
    doc: {
      operationId: 'listActions',
      summary: 'List the documented actions',
      description: 'Every action callable through POST /v1/actions/{Action}, with its kind (read/write), documented rate limit and route.',
      tags: ['Actions'],
      actions: [],
      responses: { '200': { description: 'The actions.', body: { component: 'ActionList' } } },
    },
    async handle(ctx) {
      return json(200, { TotalCount: actionNames.length, Actions: actionList() }, ctx.req.requestId);
    },
  },
];

let cachedList: unknown[] | undefined;

function actionList(): unknown[] {
  cachedList ??= actionNames.map((name) => {
    const a = getAction(name)!;
    return {
      Name: name,
      Summary: enActions[name]?.summary ?? '',
      Kind: a.kind,
      RateLimit: a.rateLimit,
      Deprecated: a.deprecated !== undefined,
      Route: `/v1/actions/${name}`,
    };
  });
  return cachedList;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
