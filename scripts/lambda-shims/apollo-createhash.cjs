'use strict'
/**
 * `@apollo/utils.createhash` as the Lambda bundles see it. The package hashes with Node's crypto
 * only when `module.require` exists, which it does not inside a bundle, so Apollo falls back to
 * `sha.js` (a JavaScript SHA-256 and its typed-array polyfills): about 5 ms of the first request
 * to load, and slower on every request that hashes its query. The digests are the same.
 */
const { createHash } = require('node:crypto')

module.exports = { createHash: (kind) => createHash(kind) }
