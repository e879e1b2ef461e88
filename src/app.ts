/**
 * The gateway with both surfaces, composed once per process (the local server, the tests):
 *
 *   graphqlHandler  `/graphql` (GET, POST) and the playground (`/graphql`, `/graphql/assets/*`)
 *   restHandler     `/v1/...` and `GET /healthz`
 *
 * Both take a `GatewayRequest` (plus the Lambda context when there is one) and answer a
 * `GatewayResult`. The Lambda entry points (`handlers/`) convert API Gateway v1/v2 and ALB events
 * to and from these and apply CORS; the local server (`src/dev/`) converts node:http requests to
 * API Gateway v2 events and calls those same Lambda handlers. So one request follows one path:
 * `handlers/lib/lambda.ts` → the composition (src/app/compose.ts) → `src/graphql` or `src/rest`
 * → `src/upstream` → the SSL API.
 *
 * Each Lambda function composes only its own surface (handlers/lib/gateway.ts), so its bundle
 * holds only that surface's code.
 */
import type { Config } from './config';
import { composeGateway, type Gateway, type GatewayOptions } from './app/compose';
import { graphqlSurface } from './app/graphql';
import { restSurface } from './app/rest';

export * from './app/compose';

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const servesGraphQL = (options.surfaces ?? ['graphql', 'rest']).includes('graphql');
  return composeGateway(config, options, { graphql: servesGraphQL ? graphqlSurface : undefined, rest: restSurface });
}
