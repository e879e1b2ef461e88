'use strict'
/**
 * undici's fetch body and FormData machinery (lib/web/fetch/body.js, formdata.js, webidl and what
 * they load: about 40 KiB) as the Lambda bundles see it (scripts/build-lambda.ts aliases those
 * requires of lib/core/request.js and lib/dispatcher/client-h1.js here). They are required only
 * for a request body that is a FormData (`util.isFormDataLike(body)`); the upstream client sends
 * JSON text, always a string. Reached otherwise, the request fails with this error.
 */
throw new Error('undici was given a FormData body, whose support is not part of the Lambda bundle: the upstream client sends JSON text (scripts/lambda-shims/undici-web-fetch.cjs)')
