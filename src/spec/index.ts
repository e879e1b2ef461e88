/**
 * The one machine-readable description of the SSL API, extracted from the seed documentation
 * by `spec/extract.ts` and committed as `spec/ssl-2019-12-05.json`. Import it from here.
 */
import raw from '../../spec/ssl-2019-12-05.json' with { type: 'json' };
import type { ActionSpec, ApiSpec, StructureSpec } from './types';

export * from './types';
export { ANSWERED_AS_STRING, ANSWERED_NULL, answeredAsString, outputNullable } from './answers';

export const spec = raw as unknown as ApiSpec;

export const actionNames: readonly string[] = Object.keys(spec.actions);
export const structureNames: readonly string[] = Object.keys(spec.structures);

export function getAction(name: string): ActionSpec | undefined {
  return Object.prototype.hasOwnProperty.call(spec.actions, name) ? spec.actions[name] : undefined;
}

export function getStructure(name: string): StructureSpec | undefined {
  return Object.prototype.hasOwnProperty.call(spec.structures, name) ? spec.structures[name] : undefined;
}
