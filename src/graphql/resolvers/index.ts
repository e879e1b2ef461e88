/**
 * All resolvers. Root fields of documented actions share one generic resolver (arguments →
 * upstream parameters → documented response); the fields that wrap asynchronous work or navigate
 * between types live in the domain files beside this one.
 */
import type { IResolvers } from '@graphql-tools/utils';
import { GraphQLError } from 'graphql';
import { DateTimeScalar, toUpstreamParams } from '../convert';
import type { GatewayContext } from '../context';
import type { GraphQLModel } from '../model';
import { OPERATIONS } from '../operations';
import { DeadlineExceededError } from '../../tasks/deadline';
import { isReplayedError } from '../../idempotency/errors';
import { certificateResolvers } from './certificates';
import { deployTargetResolvers } from './deploy-targets';
import { deploymentResolvers } from './deployments';
import { taskResolvers } from './tasks';

type Resolver = (root: unknown, args: Record<string, unknown>, ctx: GatewayContext, info?: unknown) => unknown;

export function buildResolvers(model: GraphQLModel): IResolvers<unknown, GatewayContext> {
  const Query: Record<string, Resolver> = {};
  const Mutation: Record<string, Resolver> = {};
  for (const op of OPERATIONS) {
    if (op.args || op.returns) continue; // wrapped by a domain resolver below
    const target = op.root === 'Query' ? Query : Mutation;
    // The model is read when the field runs, not here: building the resolvers leaves it unbuilt.
    target[op.field] = (_root, args, ctx) => ctx.upstream.call(op.action, toUpstreamParams(model.actions.get(op.action)!.args, args, model), { signal: ctx.signal });
  }

  const domains = [certificateResolvers(model), taskResolvers(model), deploymentResolvers(model), deployTargetResolvers(model)];
  const merged: Record<string, Record<string, unknown>> = { Query, Mutation };
  for (const d of domains) {
    for (const [type, fields] of Object.entries(d)) merged[type] = { ...(merged[type] ?? {}), ...fields };
  }

  // Every mutation runs through the idempotency service: with an `idempotencyKey`, a repeat gets
  // the first outcome instead of a second upstream call. Root mutation fields run one after
  // another within the request's one deadline: a field with no time left for a write is refused
  // before its key is taken (nothing ran, so the same key may be used again), and the fields
  // that ran keep their results.
  for (const [field, resolve] of Object.entries(merged.Mutation as Record<string, Resolver>)) {
    merged.Mutation[field] = (root: unknown, args: Record<string, unknown>, ctx: GatewayContext, info: unknown) => {
      if (!ctx.deadline.canStartWrite()) throw new DeadlineExceededError(`Mutation.${field}`, 'NOT_STARTED', true);
      const { idempotencyKey, ...rest } = args;
      const key = typeof idempotencyKey === 'string' ? idempotencyKey : undefined;
      const responseKey = (info as { path?: { key?: unknown } } | undefined)?.path?.key;
      return ctx.idempotency
        .run(key, ctx.identity?.id ?? 'anonymous', `graphql:Mutation.${field}`, rest, async () => resolve(root, rest, ctx, info))
        .then(
          (r) => {
            // The client must know nothing ran again (REST says so with Idempotent-Replayed).
            if (r.replayed) ctx.replayed.push(String(responseKey ?? field));
            return r.value;
          },
          (e: unknown) => {
            if (isReplayedError(e)) ctx.replayed.push(String(responseKey ?? field));
            throw e;
          },
        );
    };
  }

  const missing = OPERATIONS.filter((o) => !(o.field in (o.root === 'Query' ? merged.Query : merged.Mutation)));
  if (missing.length) throw new GraphQLError(`no resolver for ${missing.map((m) => m.field).join(', ')}`);

  // Only the scalar's coercion: graphql-tools copies every own property of a resolver scalar onto
  // the schema's type, so passing the GraphQLScalarType itself would replace the SDL's description
  // (schema/base.graphql) with its undefined one, and introspection would show none.
  const { serialize, parseValue, parseLiteral } = DateTimeScalar.toConfig();
  return { DateTime: { serialize, parseValue, parseLiteral }, ...merged } as IResolvers<unknown, GatewayContext>;
}
