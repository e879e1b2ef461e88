/**
 * The static files of the GraphQL playground: GraphiQL 3 and React 18 UMD production builds,
 * served by the gateway itself so the IDE works with no internet access (no CDN).
 *
 * Where the bytes come from:
 * - in the Lambda bundle, `scripts/build-lambda.ts` copies every file of `PLAYGROUND_FILES` into
 *   `playground/` next to the bundled handler (`dist/handlers/playground/`, inside the zip too);
 * - when running from source (`npm start`, tests), they are read from `node_modules`.
 * Files are read on first use and kept for the life of the process, with a gzip variant made once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface PlaygroundFile {
  /** Name in the URL (`/graphql/assets/<name>`) and in the bundle's `playground/` folder. */
  name: string;
  /** npm package that ships the file, and its path inside the package. */
  package: string;
  file: string;
  contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Every vendored file the playground page loads. The build script copies exactly these. */
export const PLAYGROUND_FILES: readonly PlaygroundFile[] = [
  { name: 'react.production.min.js', package: 'react', file: 'umd/react.production.min.js', contentType: JS },
  { name: 'react-dom.production.min.js', package: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: JS },
  { name: 'graphiql.min.js', package: 'graphiql', file: 'graphiql.min.js', contentType: JS },
  { name: 'graphiql.min.css', package: 'graphiql', file: 'graphiql.min.css', contentType: CSS },
];

/** Folder name of the vendored files next to a bundled handler. */
export const BUNDLED_ASSET_DIR = 'playground';

export interface LoadedAsset {
  contentType: string;
  body: Buffer;
  /** Strong validator: a hash of the bytes. */
  etag: string;
  gzip(): Buffer;
}

/**
 * Path of a vendored file: next to the bundle when the build script put it there, else in
 * node_modules. `import.meta.url` is the bundle's own URL once bundled, and this source file's
 * otherwise (where no `playground/` folder exists, so node_modules is used).
 */
export function locatePlaygroundFile(file: PlaygroundFile, searchDirs: readonly string[] = []): string {
  const bundled = [...searchDirs, fileURLToPath(new URL(`./${BUNDLED_ASSET_DIR}/`, import.meta.url))];
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
  throw new Error(`playground file ${file.name} not found (looked in ${bundled.join(', ')} and node_modules/${file.package})`);
}

/** Reads and memoizes the vendored files. */
export class PlaygroundAssets {
  private readonly cache = new Map<string, LoadedAsset>();
  private readonly byName = new Map(PLAYGROUND_FILES.map((f) => [f.name, f]));

  constructor(
    private readonly searchDirs: readonly string[] = [],
    /** Extra in-memory files (the page's own script), by name. */
    private readonly inline: ReadonlyMap<string, { contentType: string; body: string }> = new Map(),
  ) {}

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
      body = readFileSync(locatePlaygroundFile(file, this.searchDirs));
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
