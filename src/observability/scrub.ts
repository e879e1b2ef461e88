/**
 * Masks key material and credentials inside free text: log lines (`log.ts`), and every error
 * message a client may see (upstream `Error.Message` echoes, GraphQL and REST error bodies). One
 * list, so what a log would hide an error body hides too.
 *
 * Each replacement stays inside the string it matched in, also when the text is a JSON document
 * (the log formatter scrubs stringified JSON and parses it back): no pattern crosses a `"` or
 * consumes a backslash escape.
 */

const SCRUBBERS: [RegExp, string][] = [
  // A PEM private key block; a block cut short (a truncated message) is masked to the end of
  // its string (the next quote) or of the text.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[^"]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|(?=")|$)/g, '[REDACTED PRIVATE KEY]'],
  [/(TC3-HMAC-SHA256\s+Credential=)[^\s,"\\]+/g, '$1[REDACTED]'],
  [/(Signature=)[0-9a-f]{16,}/gi, '$1[REDACTED]'],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1[REDACTED]'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '[REDACTED JWT]'],
  // Gateway API keys and Tencent Cloud SecretIds.
  [/\bsslgw_[A-Za-z0-9_-]{16,}/g, '[REDACTED API KEY]'],
  [/\bAKID[A-Za-z0-9]{16,}/g, '[REDACTED SECRET ID]'],
  // "SecretKey=…", "password: …", "token=…": the value after a credential-like name, when it
  // looks generated (8+ characters with a digit), so prose such as "KeyPassword: expected String"
  // in a validation message stays readable.
  [
    /\b((?:secret[_-]?(?:key|id)?|secretkey|password|passwd|pwd|passphrase|(?:access|session|auth|api)[_-]?(?:key|token)|token|private[_-]?key|key[_-]?password|credential)s?)((?:\\?["'])?\s*[:=]\s*(?:\\?["'])?)(?!\[REDACTED)(?=[^\s"'\\,;&}]*[0-9])[^\s"'\\,;&}]{8,}/gi,
    '$1$2[REDACTED]',
  ],
  [/[A-Za-z0-9+/]{200,}={0,2}/g, '[REDACTED BLOB]'],
];

/** Masks key material and credentials inside free text. */
export function scrub(text: string): string {
  let out = text;
  for (const [re, rep] of SCRUBBERS) out = out.replace(re, rep);
  return out;
}
