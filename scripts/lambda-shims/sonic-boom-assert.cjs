'use strict'
/**
 * `assert` as sonic-boom (pino's stdout stream) sees it in the Lambda bundles
 * (scripts/build-lambda.ts aliases it here for sonic-boom alone). sonic-boom requires node:assert
 * at load but calls it only when a stream is destroyed; loading node:assert at start (with its
 * AssertionError, colours and inspection helpers, built-ins Node compiles on first require) is
 * about a millisecond of a cold start that nothing else in a `{ __typename }` answer needs. The
 * same function, with node:assert required on its first call.
 */
module.exports = function assert (value, message) {
  return require('node:assert')(value, message)
}
