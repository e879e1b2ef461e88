/**
 * `extensions.cache` on GraphQL answers that read upstream (see `graphqlCacheExtension` in
 * src/upstream/cache): `ageSeconds` (the oldest answer used), `maxAgeSeconds` (how long the
 * answer stays fresh) and `stale` (whether any answer used was stale). Read from the request
 * scope, which the request log wrapper opens around the whole request.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { currentScope } from '../observability/log';
import { graphqlCacheExtension } from '../upstream/cache';

export function cacheExtensionPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          const ext = graphqlCacheExtension(currentScope()?.cache);
          if (ext && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cache: ext };
          }
        },
      };
    },
  };
}
