/**
 * The gateway of a Lambda container: configured from the environment (`getConfig`), built on the
 * first invocation and shared by the later ones. Each function serves one surface and builds only
 * what that surface needs (the REST function never builds the GraphQL schema).
 */
import { createGateway, memoizeGateway, type Gateway, type Surface } from '../../src/app';
import { getConfig } from '../../src/config';

export function lambdaGateway(surface: Surface): () => Promise<Gateway> {
  return memoizeGateway(() => createGateway(getConfig(), { surfaces: [surface] }));
}
