'use strict'
/**
 * undici's HTTP/2 client (lib/dispatcher/client-h2.js, about 18 KiB) as the Lambda bundles see it
 * (scripts/build-lambda.ts aliases it here for lib/dispatcher/client.js). client.js uses it only
 * for a socket whose ALPN negotiated `h2`, which needs `allowH2`: src/upstream/client.ts builds
 * its Pool and connector with `allowH2: false` (HTTP/1.1 keeps the signed `host` header what the
 * server sees), so no connection of the gateway ever speaks HTTP/2.
 */
module.exports = function connectH2 () {
  throw new Error('undici negotiated HTTP/2, which is not part of the Lambda bundle: the upstream client sets allowH2: false (scripts/lambda-shims/undici-client-h2.cjs)')
}
