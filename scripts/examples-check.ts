/**
 * `npm run examples:check` (also run by test/integration/examples.test.ts in `npm test`): what a
 * frontend or partner team does with `examples/`, checked against this gateway's contracts.
 *
 *   1. GraphQL Code Generator (typescript, typescript-operations, typed-document-node) over the
 *      committed SDL (schema/generated/api.graphql + schema/*.graphql) and the example operations
 *      in examples/graphql/operations/ → examples/graphql/generated/graphql.ts
 *   2. openapi-typescript, default options, over the gateway's OpenAPI document (written to
 *      examples/openapi/generated/openapi.json, as GET /v1/openapi.json serves it)
 *      → examples/openapi/generated/openapi.ts
 *   3. `tsc --noEmit -p examples/tsconfig.json`: the example clients compile against both.
 *
 * The generated files are not committed (examples/.gitignore); this script makes them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import openapiTS, { astToString } from 'openapi-typescript';
import { REST_ROUTES, buildOpenApiDocument } from '../src/rest';
import codegenConfig from '../examples/graphql/codegen';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLES = join(ROOT, 'examples');

export interface ExamplesCheckResult {
  ok: boolean;
  /** Files written, relative to the repository. */
  generated: string[];
  /** tsc's output (empty when it passed). */
  tscOutput: string;
  timingsMs: { graphqlCodegen: number; openapiTypescript: number; tsc: number };
}

export async function checkExamples(): Promise<ExamplesCheckResult> {
  const generated: string[] = [];
  const time = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
    const t = performance.now();
    const value = await fn();
    return [value, Math.round(performance.now() - t)];
  };

  // 1. GraphQL Code Generator, from examples/graphql so the config's paths are its own.
  const [files, graphqlCodegen] = await time(() => generate({ ...codegenConfig, cwd: join(EXAMPLES, 'graphql'), silent: true, errorsOnly: true }, true));
  generated.push(...(files as { filename: string }[]).map((f) => join('examples/graphql', f.filename)));

  // 2. openapi-typescript with its default options, over the document the gateway serves.
  const [, openapiTypescript] = await time(async () => {
    const dir = join(EXAMPLES, 'openapi', 'generated');
    mkdirSync(dir, { recursive: true });
    const doc = buildOpenApiDocument(REST_ROUTES);
    writeFileSync(join(dir, 'openapi.json'), `${JSON.stringify(doc, null, 2)}\n`);
    const ast = await openapiTS(pathToFileURL(join(dir, 'openapi.json')));
    writeFileSync(join(dir, 'openapi.ts'), astToString(ast));
    generated.push('examples/openapi/generated/openapi.json', 'examples/openapi/generated/openapi.ts');
  });

  // 3. The examples compile.
  const tscBin = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const [tsc, tscMs] = await time(() => spawnSync(process.execPath, [tscBin, '--noEmit', '-p', join(EXAMPLES, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' }));
  const tscOutput = `${tsc.stdout ?? ''}${tsc.stderr ?? ''}`.trim();
  return { ok: tsc.status === 0, generated, tscOutput, timingsMs: { graphqlCodegen, openapiTypescript, tsc: tscMs } };
}

async function main(): Promise<void> {
  const result = await checkExamples();
  for (const f of result.generated) console.log(`generated ${f}`);
  console.log(`codegen ${result.timingsMs.graphqlCodegen} ms, openapi-typescript ${result.timingsMs.openapiTypescript} ms, tsc ${result.timingsMs.tsc} ms`);
  if (!result.ok) {
    console.error(result.tscOutput);
    console.error('examples: tsc failed');
    process.exit(1);
  }
  console.log('examples: generated clients compile');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
