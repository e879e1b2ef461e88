'use strict'
/**
 * `undici` as the Lambda bundles see it (scripts/build-lambda.ts aliases the package here): only
 * what src/upstream/client.ts uses — `Pool`, `buildConnector` and `request` with an explicit
 * dispatcher — taken from undici's own modules. undici's index also loads fetch, WebSocket,
 * EventSource, the cache stores, mocks and every interceptor (about 500 KiB minified), and sets
 * a global dispatcher at import; the gateway needs none of it. The tests and the local server
 * use the full package, so a difference would show in test/integration/handlers/package.test.ts.
 */
const Dispatcher = require('undici/lib/dispatcher/dispatcher')
const Pool = require('undici/lib/dispatcher/pool')
const buildConnector = require('undici/lib/core/connect')
const apiRequest = require('undici/lib/api/api-request')
const util = require('undici/lib/core/util')
const { InvalidArgumentError } = require('undici/lib/core/errors')

// As undici's index does for the whole API; only `request` is used.
Dispatcher.prototype.request = apiRequest

/** undici's top-level `request(url, opts)`, minus the global-dispatcher fallback. */
function request (url, opts) {
  if (!url || (typeof url !== 'string' && typeof url !== 'object' && !(url instanceof URL))) {
    throw new InvalidArgumentError('invalid url')
  }
  if (opts == null || typeof opts !== 'object') throw new InvalidArgumentError('invalid opts')
  let target
  if (opts.path != null) {
    if (typeof opts.path !== 'string') throw new InvalidArgumentError('invalid opts.path')
    target = new URL(util.parseOrigin(url).origin + (opts.path.startsWith('/') ? opts.path : `/${opts.path}`))
  } else {
    target = util.parseURL(url)
  }
  const { agent, dispatcher, ...rest } = opts
  if (agent) throw new InvalidArgumentError('unsupported opts.agent. Did you mean opts.client?')
  if (!dispatcher) throw new InvalidArgumentError('the bundled undici needs an explicit dispatcher (see scripts/lambda-shims/undici.cjs)')
  return apiRequest.call(dispatcher, {
    ...rest,
    origin: target.origin,
    path: target.search ? `${target.pathname}${target.search}` : target.pathname,
    method: opts.method || (opts.body ? 'PUT' : 'GET')
  })
}

module.exports = { Dispatcher, Pool, buildConnector, request }
