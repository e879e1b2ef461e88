/**
 * What a newcomer needs to know about credentials, from the authentication settings: the header
 * to send with a placeholder value (the playground's headers template, the start-up "Try:" line)
 * and one sentence saying where the credential goes. Header names are the ones the authenticator
 * accepts (`x-api-key`, or `Authorization: Bearer` for JWTs and keys alike).
 */
import type { AuthConfig } from './config';

/** Placeholder of an API key in templates. */
export const API_KEY_PLACEHOLDER = '<your key>';
/** Placeholder of a JWT in templates. */
export const TOKEN_PLACEHOLDER = '<your token>';

export interface CredentialHint {
  /** Headers with a placeholder value, e.g. `{ 'x-api-key': '<your key>' }`. */
  headers: Record<string, string>;
  /** The placeholder values used in `headers`. */
  placeholders: string[];
  /** One line saying where the credential goes. */
  line: string;
}

/** Undefined when no credential is needed (`GATEWAY_AUTH=disabled`). */
export function credentialHint(auth: AuthConfig): CredentialHint | undefined {
  if (auth.mode === 'disabled') return undefined;
  // JWTs only: a bearer token. Otherwise (keys configured, or nothing yet): an API key.
  if (auth.jwt !== undefined && auth.apiKeys.length === 0) {
    return {
      headers: { authorization: `Bearer ${TOKEN_PLACEHOLDER}` },
      placeholders: [TOKEN_PLACEHOLDER],
      line: `This gateway needs a token: replace ${TOKEN_PLACEHOLDER} in the Headers tab below with your JWT (sent as Authorization: Bearer), then re-fetch the schema (Shift-Ctrl-R).`,
    };
  }
  return {
    headers: { 'x-api-key': API_KEY_PLACEHOLDER },
    placeholders: [API_KEY_PLACEHOLDER],
    line: `This gateway needs an API key: replace ${API_KEY_PLACEHOLDER} in the Headers tab below with your key (sent as x-api-key), then re-fetch the schema (Shift-Ctrl-R).`,
  };
}
