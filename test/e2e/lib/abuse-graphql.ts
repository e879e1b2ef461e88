/**
 * Hostile GraphQL inputs, as tables. Every case must be refused before any upstream call.
 *
 * Limits they are measured against (src/graphql/limits): depth 12, aliases 30, directives 20,
 * tokens 5000 (a parser option), cost 200 upstream calls; batching is off, CSRF prevention is on.
 */
import type { AbuseCase, HttpRequestSpec } from './abuse-http';

const VALIDATION = 'GRAPHQL_VALIDATION_FAILED';
const PARSE = 'GRAPHQL_PARSE_FAILED';
const BAD_USER_INPUT = 'BAD_USER_INPUT';
const BAD_REQUEST = 'BAD_REQUEST';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** `{"query":…,"variables":…,"operationName":…}` */
export const doc = (query: string, variables?: unknown, operationName?: string): string => JSON.stringify({ query, variables, operationName });

export const gqlPost = (body: HttpRequestSpec['body'], headers: Record<string, string> = {}): HttpRequestSpec => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

const refused = (name: string, query: string, code: string | string[], message?: RegExp, variables?: unknown): AbuseCase => ({
  name,
  shape: 'graphql',
  status: 400,
  code,
  message,
  request: gqlPost(() => doc(query, variables)),
});

/**
 * A chain of `levels` fields below a `Certificates` object, alternating `issuance` and
 * `certificate` (Certificates.issuance → CertificateIssuance.certificate → Certificates …), ending
 * in a scalar leaf. Below `certificate(id:)` the operation is `levels + 2` fields deep.
 */
export function issuanceChain(levels: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < levels; i++) {
    open += i % 2 === 0 ? 'issuance { ' : 'certificate { ';
    close += ' }';
  }
  return `${open}${levels % 2 === 1 ? 'done' : 'certificateId'}${close}`;
}

const deepQuery = (depth: number): string => `{ certificate(id: "x") { ${issuanceChain(depth - 2)} } }`;

/** K fragments, each two levels deeper than the last: the operation is 2K + 2 fields deep. */
function fragmentChain(k: number): string {
  const frags = range(k).map((i) => `fragment F${i} on Certificates { issuance { certificate { ...F${i + 1} } } }`);
  frags.push(`fragment F${k} on Certificates { certificateId }`);
  return `{ certificate(id: "x") { ...F0 } } ${frags.join(' ')}`;
}

const TOO_DEEP = /nested \d+ fields deep; the maximum depth is 12/;

export const depthBombs: AbuseCase[] = [
  ...[13, 14, 16, 20, 32, 64, 128, 256, 512, 1000].map((d) => refused(`selection nested ${d} deep`, deepQuery(d), VALIDATION, TOO_DEEP)),
  refused('deep chain under certificatesByIds', `{ certificatesByIds(ids: ["a", "b"]) { ${issuanceChain(18)} } }`, VALIDATION, TOO_DEEP),
  refused('deep chain under a mutation (applyCertificate)', `mutation { applyCertificate(dvAuthMethod: DNS, domainName: "a.example.test") { certificate { ${issuanceChain(18)} } } }`, VALIDATION, TOO_DEEP),
  refused('6 nested fragments (depth 14)', fragmentChain(6), VALIDATION, TOO_DEEP),
  refused('20 nested fragments (depth 42)', fragmentChain(20), VALIDATION, TOO_DEEP),
  refused('100 nested fragments (depth 202)', fragmentChain(100), VALIDATION, TOO_DEEP),
  refused(
    'fragments spread twice at every level (2^20 paths, depth 42)',
    `{ certificate(id: "x") { ...F0 } } ${range(20)
      .map((i) => `fragment F${i} on Certificates { issuance { certificate { ...F${i + 1} ...F${i + 1} } } }`)
      .join(' ')} fragment F20 on Certificates { certificateId }`,
    VALIDATION,
    TOO_DEEP,
  ),
  refused('nesting through inline fragments', `{ certificate(id: "x") { ${'... on Certificates { issuance { ... on CertificateIssuance { certificate { '.repeat(8)}certificateId${' } } } }'.repeat(8)} } }`, VALIDATION, TOO_DEEP),
  refused('deep branch hidden behind @skip(if: true)', `{ certificate(id: "x") @skip(if: true) { ${issuanceChain(30)} } }`, VALIDATION, TOO_DEEP),
  {
    name: 'deep operation picked by operationName among shallow ones',
    shape: 'graphql',
    status: 400,
    code: VALIDATION,
    message: TOO_DEEP,
    request: gqlPost(() => doc(`query Shallow { __typename } query Deep ${deepQuery(40)}`, undefined, 'Deep')),
  },
  refused('1000 levels of unknown fields', `{ ${'a { '.repeat(1000)}b${' }'.repeat(1000)} }`, VALIDATION),
  // Nesting that stays under the token limit but exhausts the parser's stack: the answer must
  // still be a clear refusal, not "Maximum call stack size exceeded".
  refused('2450 nested selections (deepest point inside the token budget)', `{ ${'a { '.repeat(2450)}b${' }'.repeat(2450)} }`, [PARSE, VALIDATION], /deep|nest|token/i),
  refused('2400 nested list literals in an argument', `{ certificates(certificateStatus: ${'['.repeat(2400)}${']'.repeat(2400)}) { totalCount } }`, [PARSE, VALIDATION], /deep|nest|token/i),
  refused('1600 nested object literals in an argument', `{ certificates(tags: ${'{ a: '.repeat(1600)}1${' }'.repeat(1600)}) { totalCount } }`, [PARSE, VALIDATION], /deep|nest|token/i),
];

const TOO_MANY_ALIASES = /uses \d+ aliases; the maximum is 30/;
const aliases = (n: number, field: (i: number) => string) => range(n).map((i) => `a${i}: ${field(i)}`).join(' ');

export const aliasBombs: AbuseCase[] = [
  ...[31, 50, 100, 500, 1000].map((n) => refused(`${n} aliases of __typename`, `{ ${aliases(n, () => '__typename')} }`, VALIDATION, TOO_MANY_ALIASES)),
  ...[31, 100, 400].map((n) => refused(`${n} aliased certificate lists`, `{ ${aliases(n, () => 'certificates(limit: 1000) { totalCount }')} }`, VALIDATION, TOO_MANY_ALIASES)),
  refused('1000 aliased certificate lists (token limit first)', `{ ${aliases(1000, () => 'certificates(limit: 1000) { totalCount }')} }`, PARSE, /5000 tokens/),
  refused('40 aliased certificateDetail lookups', `{ ${aliases(40, (i) => `certificateDetail(certificateId: "c${i}") { certificateId }`)} }`, VALIDATION, TOO_MANY_ALIASES),
  refused('31 aliased mutations (setCertificateAlias)', `mutation { ${aliases(31, (i) => `setCertificateAlias(certificateId: "c${i}", alias: "x") { requestId }`)} }`, VALIDATION, TOO_MANY_ALIASES),
  refused('300 aliased deleteCertificates mutations', `mutation { ${aliases(300, (i) => `deleteCertificates(ids: ["c${i}"]) { succeeded }`)} }`, VALIDATION, TOO_MANY_ALIASES),
  refused('aliases nested in a selection', `{ certificates(limit: 1) { certificates { ${aliases(31, () => 'certificateId')} } } }`, VALIDATION, TOO_MANY_ALIASES),
  refused('10 aliases in a fragment spread 4 times', `{ ...F ...F ...F ...F } fragment F on Query { ${aliases(10, () => '__typename')} }`, VALIDATION, TOO_MANY_ALIASES),
  refused(
    'one alias per fragment, fan-out 2^30',
    `{ ...F0 } ${range(30)
      .map((i) => `fragment F${i} on Query { a${i}: certificates(limit: 1) { totalCount } ...F${i + 1} ...F${i + 1} }`)
      .join(' ')} fragment F30 on Query { __typename }`,
    VALIDATION,
    TOO_MANY_ALIASES,
  ),
  refused('31 aliases inside inline fragments', `{ ${range(31).map((i) => `... on Query { a${i}: __typename }`).join(' ')} }`, VALIDATION, TOO_MANY_ALIASES),
  refused('aliases shadowing real field names', `{ ${range(31).map((i) => `${i % 2 ? 'certificates' : 'packages'}${i}: certificateDetail(certificateId: "x${i}") { certificateId }`).join(' ')} }`, VALIDATION, TOO_MANY_ALIASES),
  refused('1000 aliases all named the same', `{ ${range(1000).map(() => 'a: __typename').join(' ')} }`, VALIDATION, TOO_MANY_ALIASES),
  refused('aliases split across two operations (the executed one is over)', `query A { __typename } query B { ${aliases(31, () => '__typename')} }`, VALIDATION),
  // Under the alias cap but over the cost cap: amplification through list sizes instead.
  refused('certificate list with a detail per row (1001 calls)', '{ certificates(limit: 1000) { certificates { detail { certificateId } } } }', 'QUERY_TOO_COMPLEX', /too expensive/),
  refused(
    '30 aliased waits (awaitCompletion amplification)',
    `{ ${aliases(30, (i) => `certificateIssuance(id: "x${i}") { awaitCompletion(timeoutSeconds: 20) { done } }`)} }`,
    'QUERY_TOO_COMPLEX',
    /too expensive/,
  ),
  refused('20 aliased lists each with 1000 detail rows', `{ ${aliases(20, () => 'certificates(limit: 1000) { certificates { detail { certificateId } } }')} }`, 'QUERY_TOO_COMPLEX', /too expensive/),
];

const TOO_MANY_DIRECTIVES = /uses \d+ directives; the maximum is 20/;

export const directiveFloods: AbuseCase[] = [
  ...[21, 50, 200, 600].map((n) => refused(`${n} @include on one field`, `{ __typename${' @include(if: true)'.repeat(n)} }`, VALIDATION, TOO_MANY_DIRECTIVES)),
  refused('1000 unknown directives', `{ __typename${' @x'.repeat(1000)} }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('one @skip on each of 30 fields', `{ ${range(30).map((i) => `a${i % 2}: __typename @skip(if: false)`).join(' ')} }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 @deprecated (wrong location)', `{ __typename${' @deprecated'.repeat(25)} }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 @specifiedBy (wrong location)', `{ __typename${' @specifiedBy(url: "x")'.repeat(25)} }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 directives on the operation', `query Q${' @a'.repeat(25)} { __typename }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 directives on a variable definition', `query Q($v: Int${' @a'.repeat(25)}) { certificates(limit: $v) { totalCount } }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 directives on a fragment definition', `{ ...F } fragment F on Query${' @a'.repeat(25)} { __typename }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 directives on an inline fragment', `{ ...${' @include(if: true)'.repeat(25)} { __typename } }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 directives on a fragment spread', `{ ...F${' @include(if: true)'.repeat(25)} } fragment F on Query { __typename }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('a directive in a fragment spread 2^20 times', `{ ...F0 } ${range(20).map((i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F20 on Query { __typename @include(if: true) }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('directives nested in selections', `{ certificates(limit: 1) @include(if: true) { certificates @include(if: true) { ${range(20).map((i) => `a${i % 2}: certificateId @skip(if: false)`).join(' ')} } } }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('25 directives on a mutation field', `mutation { setCertificateAlias(certificateId: "x", alias: "y")${' @include(if: true)'.repeat(25)} { requestId } }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('directive with 500 unknown arguments', `{ __typename @include(if: true, ${range(500).map((i) => `a${i}: 1`).join(', ')}) }`, VALIDATION),
  refused('unknown directive with a huge argument list', `{ __typename @x(${range(800).map((i) => `a${i}: ${i}`).join(' ')}) }`, [VALIDATION, PARSE]),
  refused('@include without its argument, 30 times', `{ __typename${' @include'.repeat(30)} }`, VALIDATION, TOO_MANY_DIRECTIVES),
  refused('@skip with a string condition', '{ __typename @skip(if: "yes") }', VALIDATION),
  refused('@include with an undeclared variable', '{ __typename @include(if: $nope) }', VALIDATION),
  refused('mixed directive kinds over the limit', `query Q @a { ...F @b ... @c { __typename @d } ${'__typename @include(if: true) '.repeat(20)} } fragment F on Query @e { __typename }`, VALIDATION, TOO_MANY_DIRECTIVES),
];

/** Each punctuator repeated 6000 times where the parser must look at it. */
const PUNCTUATION = ['!', '$', '&', '|', '@', ':', '=', '(', ')', '[', ']', '{', '}', '...'];

export const tokenFloods: AbuseCase[] = [
  ...PUNCTUATION.map((p) => refused(`6000 × "${p}"`, `{ __typename ${p.repeat(6000)} }`, PARSE, /Syntax Error/)),
  refused('6000 integers in a list argument', `{ certificates(certificateStatus: [${'1 '.repeat(6000)}]) { totalCount } }`, PARSE, /5000 tokens/),
  refused('6000 enum values in a list argument', `{ certificates(certificateStatus: [${'ISSUED '.repeat(6000)}]) { totalCount } }`, PARSE, /5000 tokens/),
  refused('6000 strings in a list argument', `{ certificatesByIds(ids: [${'"x" '.repeat(6000)}]) { certificateId } }`, PARSE, /5000 tokens/),
  refused('5001 __typename fields', `{ ${'__typename '.repeat(5001)} }`, PARSE, /5000 tokens/),
  refused('3000 variable references', `query($v: ID!) { certificatesByIds(ids: [${'$v '.repeat(3000)}]) { certificateId } }`, PARSE, /5000 tokens/),
  refused('2000 object fields in an input literal', `{ certificates(tags: [{ ${'tagKey: "k" '.repeat(2000)}}]) { totalCount } }`, PARSE, /5000 tokens/),
  refused('1000 empty fragments', `{ __typename } ${range(1000).map((i) => `fragment F${i} on Query { __typename }`).join(' ')}`, PARSE, /5000 tokens/),
  refused('commas and punctuation soup', `{ ${',!,$,&,|,'.repeat(4000)} }`, PARSE, /Syntax Error/),
];

export const cyclicFragments: AbuseCase[] = [
  refused('fragment spreading itself', '{ ...A } fragment A on Query { ...A }', VALIDATION, /Cannot spread fragment "A" within itself/),
  refused('two-fragment cycle', '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }', VALIDATION, /within itself/),
  refused('three-fragment cycle', '{ ...A } fragment A on Query { ...B } fragment B on Query { ...C } fragment C on Query { ...A }', VALIDATION, /within itself/),
  ...[10, 100, 500].map((n) =>
    refused(`${n}-fragment cycle`, `{ ...F0 } ${range(n).map((i) => `fragment F${i} on Query { __typename ...F${(i + 1) % n} }`).join(' ')}`, VALIDATION, /within itself/),
  ),
  refused('cycle through nested fields', `{ certificate(id: "x") { ...A } } fragment A on Certificates { issuance { certificate { ...A } } }`, VALIDATION, /within itself/),
  refused('cycle through an inline fragment', '{ ...A } fragment A on Query { ... on Query { ...A } }', VALIDATION, /within itself/),
  refused('cycle with the spread skipped', '{ ...A } fragment A on Query { __typename ...A @skip(if: true) }', VALIDATION, /within itself/),
  refused('cycle in fragments the operation never uses', '{ __typename } fragment A on Query { ...B } fragment B on Query { ...A }', VALIDATION),
  refused('cycle under a mutation', 'mutation { ...M } fragment M on Mutation { ...N } fragment N on Mutation { ...M }', VALIDATION, /within itself/),
  refused('every fragment spreading every other (20)', `{ ...F0 } ${range(20).map((i) => `fragment F${i} on Query { ${range(20).map((j) => `...F${j}`).join(' ')} }`).join(' ')}`, VALIDATION),
  refused('cycle plus a 2^20 fan-out', `{ ...F0 } ${range(20).map((i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F20 on Query { ...F0 }`, VALIDATION),
  refused('spread of an undefined fragment', '{ ...Nope }', VALIDATION, /Unknown fragment "Nope"/),
  refused('two fragments with the same name', '{ ...A } fragment A on Query { __typename } fragment A on Query { __typename }', VALIDATION, /only one fragment named "A"/),
  refused('fragment on an unknown type', '{ ...A } fragment A on Nope { __typename }', VALIDATION, /Unknown type "Nope"/),
  refused('fragment spread where its type can never apply', `{ ...A } fragment A on Certificates { certificateId }`, VALIDATION, /cannot be spread here/),
  refused('fragment on a scalar', '{ ...A } fragment A on String { length }', VALIDATION),
  refused('fragment on an input type', '{ ...A } fragment A on TagsInput { tagKey }', VALIDATION),
  refused('unused fragment only', 'fragment A on Query { __typename }', VALIDATION, /never used/),
];

export const unknownSchemaMembers: AbuseCase[] = [
  refused('unknown root field', '{ nope }', VALIDATION, /Cannot query field "nope" on type "Query"/),
  refused('unknown nested field', '{ certificates(limit: 1) { certificates { nope } } }', VALIDATION, /Cannot query field "nope"/),
  refused('misspelled field (did you mean)', '{ certificate(id: "x") { certificateid } }', VALIDATION, /Did you mean "certificateId"/),
  refused('upstream PascalCase name instead of lowerCamel', '{ DescribeCertificates { TotalCount } }', VALIDATION),
  refused('unknown argument', '{ certificates(nope: 1) { totalCount } }', VALIDATION, /Unknown argument "nope"/),
  refused('PascalCase argument', '{ certificates(Limit: 1) { totalCount } }', VALIDATION, /Unknown argument "Limit"/),
  refused('missing required argument', '{ certificateDetail { certificateId } }', VALIDATION, /argument "certificateId" of type "ID!" is required/),
  refused('duplicate argument', '{ certificates(limit: 1, limit: 2) { totalCount } }', VALIDATION, /only one argument named "limit"/),
  refused('unknown variable type', 'query($x: Nope) { __typename }', VALIDATION, /Unknown type "Nope"/),
  refused('output type as a variable type', 'query($x: Certificates) { __typename }', VALIDATION),
  refused('unknown type in an inline fragment', '{ ... on Nope { __typename } }', VALIDATION, /Unknown type "Nope"/),
  refused('selection on a scalar field', '{ certificate(id: "x") { certificateId { x } } }', VALIDATION, /must not have a selection/),
  refused('object field without a selection', '{ certificates(limit: 1) }', VALIDATION, /must have a selection of subfields/),
  refused('unknown enum value', '{ certificates(expirationSort: SIDEWAYS) { totalCount } }', VALIDATION, /Value "SIDEWAYS" does not exist/),
  refused('argument on __typename', '{ __typename(x: 1) }', VALIDATION),
  refused('field named __proto__', '{ __proto__ }', VALIDATION),
  refused('field named constructor', '{ constructor }', VALIDATION, /Cannot query field "constructor"/),
  refused('field named hasOwnProperty', '{ hasOwnProperty toString valueOf }', VALIDATION),
  refused('query field under mutation', 'mutation { certificates(limit: 1) { totalCount } }', VALIDATION, /Cannot query field "certificates" on type "Mutation"/),
  refused('unknown mutation', 'mutation { dropAllCertificates }', VALIDATION),
  refused('undeclared variable', '{ certificates(limit: $n) { totalCount } }', VALIDATION, /Variable "\$n" is not defined/),
  refused('variable declared twice', 'query($n: Int, $n: Int) { certificates(limit: $n) { totalCount } }', VALIDATION),
  refused('unused variable', 'query($n: Int) { __typename }', VALIDATION, /never used/),
  // No Subscription type: refusing with a clear 400 is the honest answer, not an execution error.
  refused('subscription operation', 'subscription { certificates { totalCount } }', [VALIDATION, BAD_REQUEST]),
  refused('anonymous subscription of __typename', 'subscription { __typename }', [VALIDATION, BAD_REQUEST]),
];

const ints = (q: string, v: unknown, name: string, message?: RegExp) => refused(name, q, BAD_USER_INPUT, message ?? /Variable "\$\w+" got invalid value|was not provided|of non-null type/, v);
const LIMIT_Q = 'query($l: Int) { certificates(limit: $l) { totalCount } }';
const ID_Q = 'query($i: ID!) { certificateDetail(certificateId: $i) { certificateId } }';
const IDS_Q = 'query($i: [ID!]!) { certificatesByIds(ids: $i) { certificateId } }';

export const wrongVariables: AbuseCase[] = [
  ints(LIMIT_Q, { l: 'abc' }, 'Int given a string'),
  ints(LIMIT_Q, { l: '10' }, 'Int given a numeric string'),
  ints(LIMIT_Q, { l: 1.5 }, 'Int given a float'),
  ints(LIMIT_Q, { l: 2 ** 31 }, 'Int given 2^31 (32-bit overflow)'),
  ints(LIMIT_Q, { l: 1e20 }, 'Int given 1e20'),
  ints(LIMIT_Q, { l: true }, 'Int given a boolean'),
  ints(LIMIT_Q, { l: { n: 1 } }, 'Int given an object'),
  ints(LIMIT_Q, { l: [1] }, 'Int given an array'),
  ints(ID_Q, { i: 1.5 }, 'ID given a float'),
  ints(ID_Q, { i: true }, 'ID given a boolean'),
  ints(ID_Q, { i: { id: 'x' } }, 'ID given an object'),
  ints(ID_Q, { i: null }, 'non-null ID given null'),
  ints(ID_Q, {}, 'required variable missing'),
  ints(IDS_Q, { i: [null] }, 'list of non-null IDs containing null'),
  ints(IDS_Q, { i: { a: 1 } }, 'list given an object'),
  ints(IDS_Q, { i: [[['x']]] }, 'list given nested lists'),
  ints('query($e: ExpirationSort) { certificates(expirationSort: $e) { totalCount } }', { e: 'desc' }, 'enum given a lower-case value'),
  ints('query($e: ExpirationSort) { certificates(expirationSort: $e) { totalCount } }', { e: 1 }, 'enum given a number'),
  ints('query($s: [CertificateStatus!]) { certificates(certificateStatus: $s) { totalCount } }', { s: [1, 3] }, 'enum list given status codes'),
  ints('query($s: DateTime) { certificateOperateLogs(startTime: $s) { totalCount } }', { s: 'yesterday' }, 'DateTime given prose'),
  ints('query($s: DateTime) { certificateOperateLogs(startTime: $s) { totalCount } }', { s: 1_700_000_000 }, 'DateTime given epoch seconds'),
  ints('query($t: [TagsInput!]) { certificates(tags: $t) { totalCount } }', { t: [{ tagKey: 'a', nope: 1 }] }, 'input object with an unknown field'),
  ints('query($t: [TagsInput!]) { certificates(tags: $t) { totalCount } }', { t: [{ tagKey: 5 }] }, 'input object field of the wrong type'),
  ints('query($t: [TagsInput!]) { certificates(tags: $t) { totalCount } }', { t: ['env=prod'] }, 'input object given a string'),
  refused('variable type incompatible with the argument', 'query($l: String) { certificates(limit: $l) { totalCount } }', VALIDATION, /Variable "\$l" of type "String" used in position expecting type "Int"/),
  refused('nullable variable in a non-null position', 'query($i: ID) { certificateDetail(certificateId: $i) { certificateId } }', VALIDATION),
  refused('literal of the wrong type', '{ certificates(limit: "ten") { totalCount } }', VALIDATION, /Int cannot represent/),
  refused('literal float for Int', '{ certificates(limit: 1.5) { totalCount } }', VALIDATION),
];

/**
 * Inputs the spec forbids (documented caps, negative paging, ids that are not ids): the REST facade
 * refuses them before calling upstream (src/rest/validate.ts, ID_PATTERNS); GraphQL must as well.
 */
export const graphqlSpecChecks: AbuseCase[] = (
  [
    ['bindResourceTaskResults with 101 task ids (cap 100)', 'query($t: [ID!]!) { bindResourceTaskResults(taskIds: $t) { requestId } }', { t: range(101).map((i) => `t${i}`) }, /100/],
    ['deleteTaskResults with 101 task ids (cap 100)', 'query($t: [ID!]!) { deleteTaskResults(taskIds: $t) { requestId } }', { t: range(101).map((i) => `t${i}`) }, /100/],
    ['deployedResources with 51 certificate ids (cap 50)', 'query($c: [ID!]!) { deployedResources(certificateIds: $c, resourceType: CLB) { requestId } }', { c: range(51).map((i) => `c${i}`) }, /50/],
    ['certificates(limit: -1)', LIMIT_Q, { l: -1 }, /limit|>= 0|negative/i],
    ['certificates(offset: -1)', 'query($o: Int) { certificates(offset: $o) { totalCount } }', { o: -1 }, /offset|>= 0|negative/i],
    ['certificateDetail with a path-traversal id', ID_Q, { i: '../etc/passwd' }, /id/i],
    ['certificateDetail with a 10 kB id', ID_Q, { i: 'a'.repeat(10_000) }, /id/i],
    ['certificateDetail with an empty id', ID_Q, { i: '' }, /id/i],
    ['deploymentRecord.details(limit: 100000, offset: -5) (nested caps)', '{ deploymentRecord(id: "1", kind: DEPLOY) { details(limit: 100000, offset: -5) { totalCount } } }', {}, /details\.limit: must be <= 200/],
    ['bindResourceTask.detail(limit: 101) (nested cap 100)', '{ bindResourceTask(id: "t1") { detail(limit: 101) { requestId } } }', {}, /detail\.limit/],
    ['managerDetail with a hexadecimal integer id', 'query($i: ID!) { managerDetail(managerId: $i) { managerId } }', { i: '0x4650' }, /managerDetail\.managerId/],
    ['managerDetail with an empty integer id', 'query($i: ID!) { managerDetail(managerId: $i) { managerId } }', { i: '' }, /managerDetail\.managerId/],
    ['managerDetail with an exponent and spaces', 'query($i: ID!) { managerDetail(managerId: $i) { managerId } }', { i: ' 1e0 ' }, /managerDetail\.managerId/],
    ['certificates(projectId: "0x3E8")', '{ certificates(projectId: "0x3E8") { totalCount } }', {}, /certificates\.projectId/],
  ] as const
).map(([name, query, variables, message]) => refused(name, query, [BAD_USER_INPUT, BAD_REQUEST, VALIDATION], message, variables));

const GET_PREFLIGHT = { 'apollo-require-preflight': 'true' };
const getQuery = (params: Record<string, string>, headers: Record<string, string> = GET_PREFLIGHT): HttpRequestSpec => ({
  method: 'GET',
  path: `/graphql?${new URLSearchParams(params).toString()}`,
  headers,
});

const MUTATIONS = [
  'mutation { setCertificateAlias(certificateId: "x", alias: "y") { requestId } }',
  'mutation { deleteCertificates(ids: ["x"]) { succeeded } }',
  'mutation { deleteCertificate(certificateId: "x") { deleteResult } }',
  'mutation { applyCertificate(dvAuthMethod: DNS, domainName: "a.example.test") { certificateId } }',
  'mutation { revokeCertificate(certificateId: "x") { requestId } }',
  'mutation { uploadCertificate(certificatePublicKey: "-----BEGIN CERTIFICATE-----") { certificateId } }',
  'mutation { createCertificateBindResourceTask(certificateIds: ["x"]) { id } }',
  'mutation { moveCertificatesToProject(certificateIdList: ["x"], projectId: "1") { requestId } }',
];

export const getMutations: AbuseCase[] = [
  ...MUTATIONS.map((m, i) => ({
    name: `GET mutation #${i + 1} with a preflight header (${/\{ (\w+)/.exec(m)![1]})`,
    shape: 'graphql' as const,
    status: 405,
    code: BAD_REQUEST,
    message: /GET requests only support query operations/,
    request: getQuery({ query: m }),
  })),
  ...MUTATIONS.slice(0, 4).map((m, i) => ({
    name: `GET mutation #${i + 1} without a preflight header (CSRF)`,
    shape: 'graphql' as const,
    status: 400,
    code: BAD_REQUEST,
    message: /Cross-Site Request Forgery/,
    request: getQuery({ query: m }, {}),
  })),
  { name: 'GET mutation with x-apollo-operation-name', shape: 'graphql', status: 405, code: BAD_REQUEST, request: getQuery({ query: 'mutation M { revokeCertificate(certificateId: "x") { requestId } }' }, { 'x-apollo-operation-name': 'M' }) },
  { name: 'GET picking the mutation of a mixed document', shape: 'graphql', status: 405, code: BAD_REQUEST, request: getQuery({ query: 'query Q { __typename } mutation M { revokeCertificate(certificateId: "x") { requestId } }', operationName: 'M' }) },
  { name: 'GET mutation with variables in the query string', shape: 'graphql', status: 405, code: BAD_REQUEST, request: getQuery({ query: 'mutation($id: ID!) { revokeCertificate(certificateId: $id) { requestId } }', variables: '{"id":"x"}' }) },
  { name: 'GET mutation hidden after a comment', shape: 'graphql', status: 405, code: BAD_REQUEST, request: getQuery({ query: '# just a query\n  mutation { revokeCertificate(certificateId: "x") { requestId } }' }) },
  // Refused by the subscription validation rule (400 GRAPHQL_VALIDATION_FAILED), as over POST.
  { name: 'GET subscription', shape: 'graphql', status: [400, 405], code: [BAD_REQUEST, VALIDATION], request: getQuery({ query: 'subscription { __typename }' }) },
  { name: 'GET without a query', shape: 'graphql', status: 400, code: BAD_REQUEST, request: getQuery({ operationName: 'X' }) },
  { name: 'GET with invalid JSON variables', shape: 'graphql', status: 400, code: BAD_REQUEST, message: /variables .*invalid JSON/, request: getQuery({ query: '{ __typename }', variables: '{bad' }) },
  { name: 'GET with invalid JSON extensions', shape: 'graphql', status: 400, code: BAD_REQUEST, message: /extensions .*invalid JSON/, request: getQuery({ query: '{ __typename }', extensions: '{bad' }) },
];

const batchOf = (items: unknown[]) => () => JSON.stringify(items);
const BATCHING_OFF = /batching disabled/i;
const batch = (name: string, body: () => string, headers: Record<string, string> = {}): AbuseCase => ({
  name,
  shape: 'graphql',
  status: 400,
  code: BAD_REQUEST,
  message: headers['content-type'] === 'text/plain' ? /Cross-Site Request Forgery/ : BATCHING_OFF,
  request: gqlPost(body, headers),
});

export const batchedArrays: AbuseCase[] = [
  batch('empty array', () => '[]'),
  batch('array of one empty object', batchOf([{}])),
  batch('array of one query', batchOf([{ query: '{ __typename }' }])),
  batch('two queries', batchOf([{ query: '{ __typename }' }, { query: '{ __typename }' }])),
  batch('100 certificate lists', batchOf(range(100).map(() => ({ query: '{ certificates(limit: 1000) { totalCount } }' })))),
  batch('10 000 queries', batchOf(range(10_000).map(() => ({ query: '{ __typename }' })))),
  batch('batched mutations', batchOf(range(5).map((i) => ({ query: `mutation { revokeCertificate(certificateId: "c${i}") { requestId } }` })))),
  batch('query plus mutation', batchOf([{ query: '{ __typename }' }, { query: 'mutation { revokeCertificate(certificateId: "x") { requestId } }' }])),
  batch('nested arrays', batchOf([[{ query: '{ __typename }' }]])),
  batch('array of null', () => '[null]'),
  batch('array of numbers', () => '[1, 2, 3]'),
  batch('array of strings', () => '["{ __typename }"]'),
  batch('array of booleans', () => '[true]'),
  batch('array with one valid and one invalid item', batchOf([{ query: '{ __typename }' }, { query: '{ nope }' }])),
  batch('array with APQ items', batchOf([{ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }])),
  batch('100 000 levels of nested arrays', () => `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
  batch('batch sent as text/plain (CSRF first)', batchOf([{ query: '{ __typename }' }]), { 'content-type': 'text/plain' }),
  batch('batch with operation names', batchOf([{ query: 'query A { __typename }', operationName: 'A' }, { query: 'query B { __typename }', operationName: 'B' }])),
  batch('batch as application/graphql-response+json', batchOf([{ query: '{ __typename }' }]), { 'content-type': 'application/graphql-response+json' }),
  batch('null followed by a query', () => '[null,{"query":"{ __typename }"}]'),
];

const envelope = (name: string, body: string, message: RegExp, code: string | string[] = BAD_REQUEST, status: number | number[] = 400): AbuseCase => ({
  name,
  shape: 'graphql',
  status,
  code,
  message,
  request: gqlPost(() => body),
});

export const envelopes: AbuseCase[] = [
  envelope('empty object', '{}', /POST body missing|non-empty `query`/),
  envelope('query is a number', '{"query":5}', /must be strings/),
  envelope('query is an object', '{"query":{"kind":"Document"}}', /must be strings/),
  envelope('query is null', '{"query":null}', /non-empty `query`/),
  envelope('query is empty', '{"query":""}', /non-empty `query`/),
  envelope('query is whitespace', '{"query":"   "}', /Syntax Error/, 'GRAPHQL_PARSE_FAILED'),
  envelope('query is only a comment', '{"query":"# nothing"}', /Syntax Error/, 'GRAPHQL_PARSE_FAILED'),
  envelope('query is a JSON-encoded string of a query', JSON.stringify({ query: JSON.stringify('{ __typename }') }), /Syntax Error/, 'GRAPHQL_PARSE_FAILED'),
  envelope('variables as a string', '{"query":"{ __typename }","variables":"{}"}', /variables/),
  envelope('variables as an array', '{"query":"{ __typename }","variables":[]}', /variables/),
  envelope('variables as a number', '{"query":"{ __typename }","variables":1}', /variables/),
  envelope('operationName as a number', '{"query":"{ __typename }","operationName":5}', /operationName/),
  envelope('operationName that does not exist', '{"query":"query A { __typename }","operationName":"B"}', /Unknown operation named "B"/, 'OPERATION_RESOLUTION_FAILURE'),
  envelope('two operations and no operationName', '{"query":"query A { __typename } query B { __typename }"}', /Must provide operation name/, 'OPERATION_RESOLUTION_FAILURE'),
  envelope('extensions as a string', '{"query":"{ __typename }","extensions":"{}"}', /extensions/),
  envelope('persisted query with an unsupported version', JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } }), /version/i, [BAD_REQUEST, 'PERSISTED_QUERY_NOT_SUPPORTED']),
  envelope('persisted query whose hash does not match', JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }), /sha|hash/i),
  envelope('persisted query without a hash', JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1 } } }), /sha|hash/i),
];
