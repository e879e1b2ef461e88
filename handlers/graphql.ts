/**
 * Lambda entry point of the GraphQL surface: `GET`/`POST /graphql` (GraphQL over HTTP through
 * @as-integrations/aws-lambda), `GET /graphql` from a browser and `/graphql/assets/*` (the
 * playground), `OPTIONS` (CORS). Accepts API Gateway payload 2.0 and 1.0 events and ALB events.
 */
import { graphqlSurface } from '../src/app/graphql';
import { lambdaGateway } from './lib/gateway';
import { createLambdaHandler } from './lib/lambda';

export const handler = createLambdaHandler('graphql', lambdaGateway({ graphql: graphqlSurface }));
