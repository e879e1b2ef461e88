/**
 * Apollo plugin enforcing the cost limit with the request's real variables, after validation and
 * before execution (`didResolveOperation`). Refusal: HTTP 400,
 * `extensions.code = QUERY_TOO_COMPLEX`, `extensions.cost = { estimated, max, fields }`.
 * With `exposeCost`, successful answers carry `extensions.cost = { estimated, max }` too.
 */
import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { costMessage, DEFAULT_MAX_COST, estimateCost, type CostEstimate, type CostOptions } from './cost';
import { LimitErrorCode } from './rules';

export interface CostLimitPluginOptions extends Omit<CostOptions, 'variables'> {
  /** Most upstream calls one operation may make. @default 200 */
  maxCost?: number;
  /** Report the estimate in `extensions.cost` of every answer. @default false */
  exposeCost?: boolean;
  /** Called with every estimate (metrics, logs). */
  onEstimate?: (estimate: CostEstimate, operationName: string | null) => void;
}

export function createCostLimitPlugin<TContext extends BaseContext>(options: CostLimitPluginOptions = {}): ApolloServerPlugin<TContext> {
  const max = options.maxCost ?? DEFAULT_MAX_COST;
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxCost must be a positive integer');
  return {
    async requestDidStart() {
      let estimated: number | undefined;
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          const estimate = estimateCost(rc.schema, rc.document, {
            operation: rc.operation,
            variables: rc.request.variables ?? {},
            ...(options.waitPolicy ? { waitPolicy: options.waitPolicy } : {}),
            ...(options.assumedListSize !== undefined ? { assumedListSize: options.assumedListSize } : {}),
          });
          estimated = estimate.cost;
          options.onEstimate?.(estimate, rc.operationName ?? null);
          if (estimate.cost > max) {
            throw new GraphQLError(costMessage(estimate, max), {
              extensions: {
                code: LimitErrorCode.QUERY_TOO_COMPLEX,
                cost: { estimated: estimate.cost, max, fields: estimate.fields.slice(0, 5) },
                http: { status: 400, headers: new HeaderMap() },
              },
            });
          }
        },
        async willSendResponse(rc) {
          if (!options.exposeCost || estimated === undefined || rc.response.body.kind !== 'single') return;
          const result = rc.response.body.singleResult;
          result.extensions = { ...(result.extensions ?? {}), cost: { estimated, max } };
        },
      };
    },
  };
}
