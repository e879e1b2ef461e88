/**
 * Lambda entry point of the REST surface: `/v1/...` (the REST facade), `GET /healthz`, `OPTIONS`
 * (CORS). Accepts API Gateway payload 2.0 and 1.0 events and ALB events.
 */
import { restSurface } from '../src/app/rest';
import { lambdaGateway } from './lib/gateway';
import { createLambdaHandler } from './lib/lambda';

export const handler = createLambdaHandler('rest', lambdaGateway({ rest: restSurface }));
