/**
 * The gateway of a Lambda container: configured from the environment (`getConfig`), built on the
 * first invocation and shared by the later ones. Each function composes only its own surface, so
 * its bundle holds only that surface's code (the REST function has no graphql and no Apollo).
 */
import { composeGateway, memoizeGateway, type Gateway, type SurfaceFactory } from '../../src/app/compose';
import { getConfig } from '../../src/config';

export function lambdaGateway(surfaces: { graphql?: SurfaceFactory; rest?: SurfaceFactory }): () => Promise<Gateway> {
  return memoizeGateway(() => composeGateway(getConfig(), {}, surfaces));
}
