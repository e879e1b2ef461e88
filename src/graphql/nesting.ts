/**
 * A lexical pre-check of GraphQL documents, before graphql-js parses them recursively: absurdly
 * nested brackets would exhaust the parser's stack.
 */
import { parse } from 'graphql';
import { ErrorCode } from '../errors';
import { BadRequest } from './bad-request';

/**
 * Bracket nesting the GraphQL parser may be given. graphql-js parses recursively, so a document
 * nested a couple of thousand levels deep, still inside the token budget, exhausts the stack
 * ("Maximum call stack size exceeded", measured on Node 22 at about 2500 nested selection sets,
 * 2000 nested lists, 1500 nested input objects). The document is scanned before Apollo parses it:
 * - values (everything inside an argument or variable list `(...)`: lists, input objects) never
 *   nest deeply in this schema: at most 128 levels;
 * - selection sets (`{` outside parentheses) up to 1000, well under half the parser's limit, so
 *   that an operation deeper than GRAPHQL_MAX_DEPTH (at most 100) still gets the depth rule's
 *   precise answer ("nested N fields deep") and only absurd nesting is refused here.
 */
export const MAX_VALUE_NESTING = 128;
export const MAX_SELECTION_NESTING = 1000;

/**
 * Refuses (GraphQL-shaped 400) a document that would make the parser nest beyond the limits above.
 * The scan is lexical, so brackets the parser would refuse anyway (`{ a (((( }` is a syntax error
 * at the second `(`) also count; the prefix up to the offending bracket, nested at most one level
 * over a limit and so safe to parse, tells them apart: when the parser stops inside it (a syntax
 * error, the token limit) it never gets deeper, and that error is Apollo's to report as usual.
 */
export function refuseDeepNesting(document: string, maxTokens: number): void {
  const deep = findDeepNesting(document);
  if (!deep) return;
  try {
    parse(document.slice(0, deep.end), { maxTokens, noLocation: true });
  } catch (err) {
    const at = (err as { positions?: readonly number[] }).positions?.[0];
    if (typeof at === 'number' && at < deep.end) return;
  }
  throw new BadRequest(deep.message, ErrorCode.GRAPHQL_VALIDATION_FAILED);
}

/** The first bracket that goes over a nesting limit (`end`: just past it), outside strings and comments. */
function findDeepNesting(document: string): { end: number; message: string } | undefined {
  const kinds: boolean[] = []; // for each open bracket: true when it counts as value nesting
  let selections = 0;
  let values = 0;
  const n = document.length;
  for (let i = 0; i < n; i++) {
    const c = document.charCodeAt(i);
    if (c === 0x23 /* # comment, to the end of the line */) {
      while (i + 1 < n && document.charCodeAt(i + 1) !== 0x0a && document.charCodeAt(i + 1) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (document.startsWith('"""', i)) {
        // Block string: ends at the next """ not escaped as \""".
        i += 3;
        while (i < n && !document.startsWith('"""', i)) i += document.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        // String: ends at the next unescaped " (or the end of the line, where the lexer stops too).
        i++;
        while (i < n && document.charCodeAt(i) !== 0x22 && document.charCodeAt(i) !== 0x0a && document.charCodeAt(i) !== 0x0d) i += document.charCodeAt(i) === 0x5c ? 2 : 1;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */ || c === 0x28 /* ( */) {
      const value = c !== 0x7b || values > 0;
      kinds.push(value);
      if (value && ++values > MAX_VALUE_NESTING) {
        return { end: i + 1, message: `Argument values are nested more than ${MAX_VALUE_NESTING} levels deep (lists, input objects); the document was not parsed` };
      }
      if (!value && ++selections > MAX_SELECTION_NESTING) {
        return { end: i + 1, message: `Selection sets are nested more than ${MAX_SELECTION_NESTING} levels deep; the document was not parsed` };
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */ || c === 0x29 /* ) */) {
      // Unbalanced closers are the parser's to report.
      const value = kinds.pop();
      if (value === true) values--;
      else if (value === false) selections--;
    }
  }
  return undefined;
}
