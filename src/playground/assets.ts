/**
 * The static files of the GraphQL playground: GraphiQL 3 and React 18 UMD production builds,
 * served by the gateway itself so the IDE works with no internet access (no CDN). How they are
 * found (bundle folder or node_modules) and served: `src/http/static-assets.ts`.
 */
import { CSS_CONTENT_TYPE as CSS, JS_CONTENT_TYPE as JS, StaticAssets, locateVendoredFile, type LoadedAsset, type VendoredFile } from '../http/static-assets';

export type PlaygroundFile = VendoredFile;
export type { LoadedAsset };

/** Every vendored file the playground page loads. The build script copies exactly these. */
export const PLAYGROUND_FILES: readonly PlaygroundFile[] = [
  { name: 'react.production.min.js', package: 'react', file: 'umd/react.production.min.js', contentType: JS },
  { name: 'react-dom.production.min.js', package: 'react-dom', file: 'umd/react-dom.production.min.js', contentType: JS },
  { name: 'graphiql.min.js', package: 'graphiql', file: 'graphiql.min.js', contentType: JS },
  { name: 'graphiql.min.css', package: 'graphiql', file: 'graphiql.min.css', contentType: CSS },
];

/** Folder name of the vendored files next to a bundled handler. */
export const BUNDLED_ASSET_DIR = 'playground';

/** Path of a vendored playground file: next to the bundle when built, else in node_modules. */
export function locatePlaygroundFile(file: PlaygroundFile, searchDirs: readonly string[] = []): string {
  return locateVendoredFile(file, BUNDLED_ASSET_DIR, searchDirs);
}

/** Reads and memoizes the vendored files (plus in-memory ones such as the start-up script). */
export class PlaygroundAssets extends StaticAssets {
  constructor(searchDirs: readonly string[] = [], inline: ReadonlyMap<string, { contentType: string; body: string }> = new Map()) {
    super(PLAYGROUND_FILES, BUNDLED_ASSET_DIR, searchDirs, inline);
  }
}
