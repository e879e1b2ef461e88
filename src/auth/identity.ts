/**
 * Who is calling. An `Identity` never holds the credential itself (no API key, no token): only an
 * id that is safe to log, how the caller was authenticated, and the granted scopes.
 *
 * The id is namespaced by how the caller authenticated, so an API key and a JWT subject can never
 * be the same caller, whatever their names: `key:<api key id>`, `jwt:<issuer>#<subject>`
 * (a `%` or `#` in the issuer is percent-encoded, so the first `#` always ends it), and
 * `anonymous` when authentication is disabled. Everything stored or counted per caller
 * (idempotency records, persisted queries, rate-limit shares, log lines) uses this id.
 */
import { SCOPES, type Scope } from './scopes';

export type IdentityKind = 'api-key' | 'jwt' | 'anonymous';

export interface Identity {
  /** Namespaced caller id (see above): the only id to store or count anything under. */
  readonly id: string;
  readonly kind: IdentityKind;
  /** The credential's own name: the API key id or the JWT `sub`. Not unique across kinds. */
  readonly subject: string;
  /** JWT only: the `iss` claim. */
  readonly issuer?: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** The namespaced id of a caller (see the module comment). */
export function namespacedId(kind: IdentityKind, subject: string, issuer?: string): string {
  switch (kind) {
    case 'api-key':
      return `key:${subject}`;
    case 'jwt':
      return `jwt:${(issuer ?? '').replace(/%/g, '%25').replace(/#/g, '%23')}#${subject}`;
    case 'anonymous':
      return subject === 'anonymous' ? 'anonymous' : `anonymous:${subject}`;
  }
}

/** `subject`: the API key id, the JWT `sub` (with `options.issuer`), or a name for an anonymous caller. */
export function createIdentity(subject: string, kind: IdentityKind, scopes: Iterable<Scope>, options: { issuer?: string } = {}): Identity {
  return Object.freeze({
    id: namespacedId(kind, subject, options.issuer),
    kind,
    subject,
    ...(kind === 'jwt' ? { issuer: options.issuer ?? '' } : {}),
    scopes: new Set(scopes) as ReadonlySet<Scope>,
  });
}

/** The caller when authentication is explicitly disabled (local development only): every scope. */
export const ANONYMOUS: Identity = createIdentity('anonymous', 'anonymous', SCOPES);

/** Log-safe description: the namespaced id, e.g. `key:partner-a`. */
export function describeIdentity(identity: Identity): string {
  return identity.id;
}
