/**
 * Who is calling. An `Identity` never holds the credential itself (no API key, no token): only an
 * id that is safe to log, how the caller was authenticated, and the granted scopes.
 */
import { SCOPES, type Scope } from './scopes';

export type IdentityKind = 'api-key' | 'jwt' | 'anonymous';

export interface Identity {
  /** API key: the configured key id. JWT: the `sub` claim. Anonymous: `anonymous`. */
  readonly id: string;
  readonly kind: IdentityKind;
  readonly scopes: ReadonlySet<Scope>;
}

export function createIdentity(id: string, kind: IdentityKind, scopes: Iterable<Scope>): Identity {
  return Object.freeze({ id, kind, scopes: new Set(scopes) as ReadonlySet<Scope> });
}

/** The caller when authentication is explicitly disabled (local development only): every scope. */
export const ANONYMOUS: Identity = createIdentity('anonymous', 'anonymous', SCOPES);

/** Log-safe description, e.g. `api-key:partner-a`. */
export function describeIdentity(identity: Identity): string {
  return `${identity.kind}:${identity.id}`;
}
