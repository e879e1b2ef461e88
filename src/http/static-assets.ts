/**
 * Static files that a surface serves from the gateway itself (no CDN): the playground's GraphiQL
 * and React builds, the API reference's Redoc bundle. Shared here so the surfaces, which never
 * import each other, serve vendored files one way.
 *
 * Where the bytes come from:
 * - in the Lambda bundle, `scripts/build-lambda.ts` copies each file of a list into a folder named
 *   after the list (`playground/`, `docs/`) next to the bundled handler (inside the zip too);
 * - when running from source (`npm start`, tests), they are read from `node_modules`.
 * Files are read on first use and kept for the life of the process, with a gzip variant made once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ERROR_HTTP_STATUS, ErrorCode } from '../errors';
import type { GatewayRequest, GatewayResult } from './types';

export interface VendoredFile {
  /** Name in the URL (`…/assets/<name>`) and in the bundle's asset folder. */
  name: string;
  /** npm package that ships the file, and its path inside the package. */
  package: string;
  file: string;
  contentType: string;
  /**
   * Exact text replacements applied to the file when it is loaded (e.g. a hard-coded external URL
   * made local). A `from` that is missing fails the load, so a package upgrade that changes the
   * text is noticed by the tests instead of silently serving the original.
   */
  replace?: readonly (readonly [from: string, to: string])[];
}

export const JS_CONTENT_TYPE = 'text/javascript; charset=utf-8';
export const CSS_CONTENT_TYPE = 'text/css; charset=utf-8';

export interface LoadedAsset {
  contentType: string;
  body: Buffer;
  /** Strong validator: a hash of the bytes. */
  etag: string;
  gzip(): Buffer;
}

/**
 * Path of a vendored file: in `bundledDir` next to the bundle when the build script put it there,
 * else in node_modules. `import.meta.url` is the bundle's own URL once bundled, and this source
 * file's otherwise (where no such folder exists, so node_modules is used).
 */
export function locateVendoredFile(file: VendoredFile, bundledDir: string, searchDirs: readonly string[] = []): string {
  const bundled = [...searchDirs, fileURLToPath(new URL(`./${bundledDir}/`, import.meta.url))];
  for (const dir of bundled) {
    const candidate = join(dir, file.name);
    if (existsSync(candidate)) return candidate;
  }
  try {
    const pkgJson = createRequire(import.meta.url).resolve(`${file.package}/package.json`);
    const candidate = join(dirname(pkgJson), file.file);
    if (existsSync(candidate)) return candidate;
  } catch {
    // not resolvable (e.g. inside the Lambda bundle): reported below
  }
  throw new Error(`vendored file ${file.name} not found (looked in ${bundled.join(', ')} and node_modules/${file.package})`);
}

function applyReplacements(file: VendoredFile, bytes: Buffer): Buffer {
  if (!file.replace?.length) return bytes;
  let text = bytes.toString('utf8');
  for (const [from, to] of file.replace) {
    if (!text.includes(from)) throw new Error(`vendored file ${file.name} (${file.package}/${file.file}) no longer contains ${JSON.stringify(from)}: review its replacement`);
    text = text.split(from).join(to);
  }
  return Buffer.from(text, 'utf8');
}

/** Reads and memoizes a set of vendored files plus in-memory ones (a page's own script). */
export class StaticAssets {
  private readonly cache = new Map<string, LoadedAsset>();
  private readonly byName: Map<string, VendoredFile>;

  constructor(
    files: readonly VendoredFile[],
    private readonly bundledDir: string,
    private readonly searchDirs: readonly string[] = [],
    /** Extra in-memory files, by name. */
    private readonly inline: ReadonlyMap<string, { contentType: string; body: string }> = new Map(),
  ) {
    this.byName = new Map(files.map((f) => [f.name, f]));
  }

  has(name: string): boolean {
    return this.byName.has(name) || this.inline.has(name);
  }

  /** The asset, or undefined for an unknown name. Throws when a known file is missing on disk. */
  get(name: string): LoadedAsset | undefined {
    const hit = this.cache.get(name);
    if (hit) return hit;
    let contentType: string;
    let body: Buffer;
    const inline = this.inline.get(name);
    const file = this.byName.get(name);
    if (inline) {
      contentType = inline.contentType;
      body = Buffer.from(inline.body, 'utf8');
    } else if (file) {
      contentType = file.contentType;
      body = applyReplacements(file, readFileSync(locateVendoredFile(file, this.bundledDir, this.searchDirs)));
    } else {
      return undefined;
    }
    let gz: Buffer | undefined;
    const asset: LoadedAsset = {
      contentType,
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      gzip: () => (gz ??= gzipSync(body, { level: 6 })),
    };
    this.cache.set(name, asset);
    return asset;
  }
}

/**
 * Sent with a page and its files: they are for the page's own origin only. Browsers then refuse
 * to hand them to other sites (no `<script src>` or `<img>` from elsewhere), and the Lambda
 * handlers add no CORS headers to them (handlers/lib/cors.ts).
 */
export const SAME_ORIGIN_ONLY = { 'cross-origin-resource-policy': 'same-origin' } as const;

/**
 * Answers GET/HEAD of one asset: 404 for an unknown name, 304 for a matching `If-None-Match`,
 * gzip when accepted. `what` names the asset set in the 404 message.
 */
export function serveStaticAsset(assets: StaticAssets, name: string, req: GatewayRequest, what: string): GatewayResult {
  const asset = assets.has(name) ? assets.get(name) : undefined;
  if (!asset) {
    return {
      status: ERROR_HTTP_STATUS.NOT_FOUND,
      headers: { 'content-type': 'application/json; charset=utf-8', ...SAME_ORIGIN_ONLY },
      body: JSON.stringify({ error: { code: ErrorCode.NOT_FOUND, message: `No ${what} asset named ${name}` } }),
    };
  }
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    etag: asset.etag,
    // Unversioned URLs: cache, but revalidate daily (a deploy may change a file).
    'cache-control': 'public, max-age=86400',
    'x-content-type-options': 'nosniff',
    vary: 'Accept-Encoding',
    ...SAME_ORIGIN_ONLY,
  };
  if (req.headers['if-none-match'] === asset.etag) return { status: 304, headers, body: '' };
  if (/\bgzip\b/i.test(req.headers['accept-encoding'] ?? '')) {
    const gz = asset.gzip();
    return { status: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: gz.toString('base64'), isBase64Encoded: true };
  }
  return { status: 200, headers, body: asset.body.toString('base64'), isBase64Encoded: true };
}
