/**
 * The start of the two HTML pages the gateway serves itself (the GraphQL playground and the REST
 * API reference): escaping, and a head that leaks nothing (no referrer, no favicon request).
 */

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** `<!doctype html>` up to and including the `<title>` and an empty favicon; `title` is escaped here. */
export function htmlPageStart(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">`;
}

/**
 * The Content-Security-Policy of a page that loads everything from the gateway itself and nothing
 * from anywhere else. `style-src 'unsafe-inline'` because both UIs (GraphiQL, Redoc) set inline
 * styles; `extra` directives (e.g. `worker-src blob:`) go before the lock-down ones.
 */
export function selfOnlyCsp(extra: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    ...extra,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
