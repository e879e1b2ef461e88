'use strict'
/**
 * undici's non-SIMD llhttp build (lib/llhttp/llhttp-wasm.js, 71 KiB of base64 wasm) as the Lambda
 * bundles see it (scripts/build-lambda.ts aliases it here when lib/dispatcher/client-h1.js asks
 * for it). client-h1's `lazyllhttp` compiles the SIMD build (llhttp_simd-wasm.js) first and
 * requires this one only when SIMD is off or fails: on riscv64, on ppc64 before Node 24.12, with
 * UNDICI_NO_WASM_SIMD=1, when the engine refuses the SIMD module, or under Jest (JEST_WORKER_ID
 * set: it takes this one directly; vitest does not set it). Lambda's nodejs22.x runs Node 22 on x86_64 or arm64 (this service: arm64),
 * where wasm SIMD is always on, so the SIMD build is what runs. Should this ever be reached, the
 * first upstream request fails with the error below instead of a silent slow path.
 */
throw new Error('undici fell back to its non-SIMD llhttp parser, which is not part of the Lambda bundle: WebAssembly SIMD is unavailable here (unset UNDICI_NO_WASM_SIMD; Lambda x86_64/arm64 support SIMD). See scripts/lambda-shims/undici-llhttp-wasm.cjs')
