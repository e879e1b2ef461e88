/**
 * The gateway of a Lambda container: configured from the environment (`getConfig`), built on the
 * first invocation and shared by the later ones. Both entry points import this module, but each
 * is bundled separately, so each function builds its own.
 */
import { createGateway, memoizeGateway } from '../../src/app';
import { getConfig } from '../../src/config';

export const lambdaGateway = memoizeGateway(() => createGateway(getConfig()));
