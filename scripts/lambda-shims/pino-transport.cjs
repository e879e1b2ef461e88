'use strict'
/**
 * pino's `transport()` (lib/transport.js with thread-stream, atomic-sleep: about 12 KiB) as the
 * Lambda bundles see it (scripts/build-lambda.ts aliases it here for pino's own modules). It runs
 * log targets in a worker thread, and pino calls it only for a `transport` option or
 * `pino.transport(...)`; src/observability/log.ts writes JSON lines to stdout (pino's default
 * SonicBoom destination), which is what Lambda forwards to CloudWatch, and passes neither.
 */
module.exports = function transport () {
  throw new Error('pino transports are not part of the Lambda bundle: the gateway logs to stdout (scripts/lambda-shims/pino-transport.cjs)')
}
