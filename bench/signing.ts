/**
 * Signing throughput: the gateway's TC3 signer against the official SDK's `sign3`, same inputs,
 * same process. Two cases: a warm day (the derived key is cached per UTC day, which is what a
 * gateway sees) and a cold key on every call (a new day each time: no cache benefit).
 */
import { createRequire } from 'node:module';
import { sign } from '../src/upstream/sign';
import { opsPerSecond, printTable, saveResult } from './lib';

const require = createRequire(import.meta.url);
const Sdk = (require('tencentcloud-sdk-nodejs/tencentcloud/common/sign.js') as {
  default: { sign3(a: Record<string, unknown>): string };
}).default;

export async function runSigningBench(iterations = 50_000): Promise<Record<string, number>> {
  const body = JSON.stringify({ Limit: 100, Offset: 0, SearchKey: 'example.test', CertificateStatus: [1, 3], CertIds: ['abc12345', 'def67890'] });
  const payload = Buffer.from(body);
  const secretId = 'bench-secret-id';
  const secretKey = 'bench-secret-key-0123456789';
  const base = 1_764_000_000;
  let i = 0;
  const ours = (ts: number) =>
    sign({
      secretId,
      secretKey,
      service: 'ssl',
      timestamp: ts,
      signedHeaders: ['content-type', 'host'],
      headers: { 'Content-Type': 'application/json', Host: 'ssl.tencentcloudapi.com', 'X-TC-Action': 'DescribeCertificates' },
      body,
    });
  const sdk = (ts: number) =>
    Sdk.sign3({ method: 'POST', url: 'https://ssl.tencentcloudapi.com/', payload, timestamp: ts, service: 'ssl', secretId, secretKey, headers: { 'Content-Type': 'application/json' } });

  // Same signature for the same input: the comparison measures equal work.
  if (ours(base).authorization !== sdk(base)) throw new Error('signers disagree: benchmark would compare different work');

  const warmOurs = opsPerSecond(() => ours(base + (i++ % 60)), iterations);
  const warmSdk = opsPerSecond(() => sdk(base + (i++ % 60)), iterations);
  const coldOurs = opsPerSecond(() => ours(base + 86_400 * (i++ % 100_000)), iterations);
  const coldSdk = opsPerSecond(() => sdk(base + 86_400 * (i++ % 100_000)), iterations);
  const result = {
    iterations,
    gatewayOpsPerSec: Math.round(warmOurs),
    sdkOpsPerSec: Math.round(warmSdk),
    ratio: Number((warmOurs / warmSdk).toFixed(2)),
    coldKeyGatewayOpsPerSec: Math.round(coldOurs),
    coldKeySdkOpsPerSec: Math.round(coldSdk),
    coldKeyRatio: Number((coldOurs / coldSdk).toFixed(2)),
  };
  printTable('Signing throughput (TC3-HMAC-SHA256), gateway vs official SDK sign3', [
    { case: 'same UTC day (key cached)', 'gateway ops/s': result.gatewayOpsPerSec, 'SDK ops/s': result.sdkOpsPerSec, ratio: `${result.ratio}×` },
    { case: 'new day every call (no cache)', 'gateway ops/s': result.coldKeyGatewayOpsPerSec, 'SDK ops/s': result.coldKeySdkOpsPerSec, ratio: `${result.coldKeyRatio}×` },
  ]);
  saveResult('signing', result);
  return result;
}
