/**
 * The import direction of the codebase, checked by `npm run check:imports` (and by a test in
 * `npm test`). Layers, lowest first; a file may import its own layer and the layers below it:
 *
 *   0  src/spec, src/errors, src/time, src/observability, src/http   what everything shares
 *   1  src/upstream                                            signing, pacing, calling the SSL API
 *   2  src/tasks, src/idempotency, src/auth                    what both surfaces build on
 *   3  src/graphql, src/rest, src/playground                   the surfaces (never each other)
 *   4  src/app.ts, src/app/, src/config.ts                     composition; the one env reader
 *   5  handlers/, src/dev                                      entry points
 *
 * The simulator stands apart: it shares only src/spec (its signature verifier is independent of
 * the client's signer on purpose), and only the local server (src/dev) starts it.
 */
const LAYERS = [
  ['src/spec', 'src/errors', 'src/time', 'src/observability', 'src/http'],
  ['src/upstream'],
  ['src/tasks', 'src/idempotency', 'src/auth'],
  ['src/graphql', 'src/rest', 'src/playground'],
  ['src/app\\.ts', 'src/app', 'src/config\\.ts'],
  ['handlers', 'src/dev'],
];

const pathOf = (dirs) => `^(${dirs.join('|')})(/|$)`;

const upward = LAYERS.slice(0, -1).map((dirs, i) => ({
  name: `layer-${i}-imports-upward`,
  comment: `${dirs.join(', ')} may only import layers 0..${i} (see the table at the top of this file)`,
  severity: 'error',
  from: { path: pathOf(dirs) },
  to: { path: pathOf(LAYERS.slice(i + 1).flat()) },
}));

const SURFACES = ['src/graphql', 'src/rest', 'src/playground'];
const surfaces = SURFACES.map((surface) => ({
  name: `surface-${surface.split('/')[1]}-imports-another-surface`,
  comment: 'The surfaces never import each other: what they share lives in a lower layer',
  severity: 'error',
  from: { path: pathOf([surface]) },
  to: { path: pathOf(SURFACES.filter((s) => s !== surface)) },
}));

module.exports = {
  forbidden: [
    ...upward,
    ...surfaces,
    {
      name: 'simulator-shares-only-spec',
      comment: 'The simulator is a stand-in for the real service: it shares only src/spec with the gateway',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^(src|handlers)/', pathNot: '^src/(simulator|spec)/' },
    },
    {
      name: 'only-dev-starts-the-simulator',
      comment: 'Only the local server embeds the simulator; the gateway never depends on it',
      severity: 'error',
      from: { path: '^(src|handlers)/', pathNot: '^src/(simulator|dev)/' },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'src-never-imports-tests',
      comment: 'Test-only code lives in test/ and is never imported by the product',
      severity: 'error',
      from: { path: '^(src|handlers|scripts)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make the layering meaningless',
      severity: 'error',
      from: { path: '^(src|handlers)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
