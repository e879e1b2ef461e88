/**
 * Hostile REST inputs, as tables: unknown actions, odd path ids, wrong JSON types for every scalar
 * kind, documented caps, bodies that are not objects, query strings. Every case must be refused
 * with the REST error body before any upstream call.
 */
import type { AbuseCase, HttpRequestSpec } from './abuse-http';

const BAD_REQUEST = 'BAD_REQUEST';
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const ids = (n: number, prefix: string) => range(n).map((i) => `${prefix}${i}`);

export const restPost = (path: string, body: HttpRequestSpec['body'], headers: Record<string, string> = {}, method = 'POST'): HttpRequestSpec => ({
  method,
  path,
  headers: { 'content-type': 'application/json', ...headers },
  body,
});

const restGet = (path: string, method = 'GET'): HttpRequestSpec => ({ method, path });

// ---- unknown actions -------------------------------------------------------------------------------

const UNKNOWN_ACTIONS: [string, string][] = [
  ['no such action', 'NoSuchAction'],
  ['lower-camel name', 'describeCertificates'],
  ['upper-case name', 'DESCRIBECERTIFICATES'],
  ['snake-ish name', 'Describe_Certificates'],
  ['name with an extension', 'DescribeCertificates.json'],
  ['retired 2017 action CertGetList', 'CertGetList'],
  ['retired 2017 action CertUpload', 'CertUpload'],
  ['encoded path traversal', '..%2f..%2fetc%2fpasswd'],
  ['upper-case encoded path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['fully encoded traversal', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
  ['10 000-character name', 'A'.repeat(10_000)],
  ['128-character plausible name', `Describe${'X'.repeat(120)}`],
  ['embedded NUL', 'Describe%00Certificates'],
  ['trailing NUL', 'DescribeCertificates%00'],
  ['Cyrillic homoglyph', '%D0%95scribeCertificates'],
  ['trailing space', 'DescribeCertificates%20'],
  ['leading space', '%20DescribeCertificates'],
  ['CRLF injection', 'DescribeCertificates%0D%0AX-Injected:%201'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['hasOwnProperty', 'hasOwnProperty'],
  ['broken percent-encoding', 'Describe%Certificates'],
  ['invalid UTF-8 percent-encoding', '%FF%FE'],
];

export const unknownActions: AbuseCase[] = [
  ...UNKNOWN_ACTIONS.map(([name, action]): AbuseCase => ({
    name,
    shape: 'rest',
    status: 404,
    code: 'NOT_FOUND',
    message: /Unknown action|No route/,
    request: restPost(`/v1/actions/${action}`, '{}'),
  })),
  { name: 'extra path segment after the action', shape: 'rest', status: 404, code: 'NOT_FOUND', request: restPost('/v1/actions/DescribeCertificates/extra', '{}') },
  { name: 'empty segment before the action', shape: 'rest', status: 404, code: 'NOT_FOUND', request: restPost('/v1//actions/DescribeCertificates', '{}') },
];

// ---- odd ids in paths ------------------------------------------------------------------------------

const ODD_IDS: [string, string][] = [
  ['NUL', '%00'],
  ['encoded ../../etc/passwd', '..%2f..%2fetc%2fpasswd'],
  ['upper-case encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['10 kB id', 'a'.repeat(10_240)],
  ['65-character id', 'a'.repeat(65)],
  ['Chinese characters', '%E8%AF%81%E4%B9%A6'],
  ['emoji', '%F0%9F%94%92'],
  ['inner space', 'a%20b'],
  ['leading space', '%20abc'],
  ['leading dash', '-abc'],
  ['leading dot', '.hidden'],
  ['semicolon', 'a%3Bb'],
  ['quote', "a'b"],
  ['HTML', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
  ['CRLF header injection', 'a%0D%0ASet-Cookie:%20x=1'],
  ['lone percent sign', '%25'],
  ['truncated percent-encoding', '%E0%A4%A'],
  ['overlong UTF-8 "/"', '%C0%AF'],
  ['encoded slash', 'a%2Fb'],
  ['three encoded dots', '%2e%2e%2e'],
  ['JSON injection', '%22%7D%2C%22Limit%22%3A1000'],
];

export const oddIds: AbuseCase[] = [
  ...ODD_IDS.map(([name, id]): AbuseCase => ({
    name: `certificate id: ${name}`,
    shape: 'rest',
    status: 400,
    code: BAD_REQUEST,
    field: 'id',
    request: restGet(`/v1/certificates/${id}`),
  })),
  { name: 'DELETE with a traversal id', shape: 'rest', status: 400, code: BAD_REQUEST, field: 'id', request: restGet('/v1/certificates/..%2f..%2fetc', 'DELETE') },
  { name: 'download-url with a NUL id', shape: 'rest', status: 400, code: BAD_REQUEST, field: 'id', request: restGet('/v1/certificates/%00/download-url') },
  { name: 'bind-resource task with a NUL id', shape: 'rest', status: 400, code: BAD_REQUEST, field: 'id', request: restGet('/v1/bind-resource-tasks/%00') },
  { name: 'delete task with a traversal id', shape: 'rest', status: 400, code: BAD_REQUEST, field: 'id', request: restGet('/v1/delete-tasks/..%2f..%2f') },
  { name: 'start a bind-resource task for a 10 kB id', shape: 'rest', status: 400, code: BAD_REQUEST, field: 'id', request: restPost(`/v1/certificates/${'b'.repeat(10_240)}/bind-resource-tasks`, '{}') },
  ...['0', '-1', '1e3', '0x10', '99999999999999999', '1.5', 'abc'].map(
    (id): AbuseCase => ({ name: `deployment record id ${id}`, shape: 'rest', status: 400, code: BAD_REQUEST, field: 'id', request: restGet(`/v1/deployments/update/${id}`) }),
  ),
  { name: 'unknown deployment kind', shape: 'rest', status: [400, 404], code: [BAD_REQUEST, 'NOT_FOUND'], request: restGet('/v1/deployments/nosuchkind/1') },
  { name: 'unencoded ../ (normalised away, no such route)', shape: 'rest', status: 404, code: 'NOT_FOUND', request: restGet('/v1/certificates/../../etc/passwd') },
];

// ---- wrong JSON types for every scalar kind, documented caps ---------------------------------------

type Typed = [name: string, action: string, body: unknown, field: string];

/** `body` given as a string is sent verbatim (for numbers JSON.stringify cannot produce). */
const TYPED: Typed[] = [
  ['Integer given a numeric string', 'DescribeCertificates', { Limit: '10' }, 'Limit'],
  ['Integer given a float', 'DescribeCertificates', { Limit: 1.5 }, 'Limit'],
  ['Integer given a boolean', 'DescribeCertificates', { Limit: true }, 'Limit'],
  ['Integer given an array', 'DescribeCertificates', { Limit: [10] }, 'Limit'],
  ['Integer given an object', 'DescribeCertificates', { Limit: { n: 10 } }, 'Limit'],
  ['Integer given 1e309 (Infinity)', 'DescribeCertificates', '{"Limit":1e309}', 'Limit'],
  ['Integer beyond 2^53', 'DescribeCertificates', '{"Offset":9007199254740993}', 'Offset'],
  ['negative Offset', 'DescribeCertificates', { Offset: -1 }, 'Offset'],
  ['Limit above its documented maximum (1000)', 'DescribeCertificates', { Limit: 1001 }, 'Limit'],
  ['Limit above its documented maximum (200)', 'DescribeHostCdnInstanceList', { CertificateId: 'x', Limit: 201 }, 'Limit'],
  ['string-typed Limit above its maximum', 'DescribeHostUpdateRecordDetail', { DeployRecordId: '1', Limit: '201' }, 'Limit'],
  ['string-typed Limit that is not a number', 'DescribeCertificateBindResourceTaskDetail', { TaskId: 't', Limit: 'abc' }, 'Limit'],
  ['string-typed Limit that is negative', 'DescribeCertificateBindResourceTaskDetail', { TaskId: 't', Limit: '-1' }, 'Limit'],
  ['String given a number', 'DescribeCertificates', { SearchKey: 5 }, 'SearchKey'],
  ['String given a boolean', 'DescribeCertificates', { SearchKey: true }, 'SearchKey'],
  ['String given an object', 'DescribeCertificates', { SearchKey: { $ne: '' } }, 'SearchKey'],
  ['String given an array', 'DescribeCertificates', { SearchKey: ['a'] }, 'SearchKey'],
  ['Timestamp given a number', 'DescribeCertificateOperateLogs', { StartTime: 1_700_000_000 }, 'StartTime'],
  ['Boolean given a string', 'DeleteCertificates', { CertificateIds: ['a'], IsSync: 'true' }, 'IsSync'],
  ['Boolean given 1', 'DeleteCertificates', { CertificateIds: ['a'], IsSync: 1 }, 'IsSync'],
  ['array given a string', 'DescribeCertificates', { CertIds: 'abc' }, 'CertIds'],
  ['array given an array-like object', 'DescribeCertificates', { CertIds: { 0: 'a', length: 1 } }, 'CertIds'],
  ['array given a number', 'DescribeCertificates', { CertificateStatus: 1 }, 'CertificateStatus'],
  ['String array with a number item', 'DescribeCertificates', { CertIds: ['a', 1] }, 'CertIds[1]'],
  ['Integer array with a string item', 'DescribeCertificates', { CertificateStatus: ['1'] }, 'CertificateStatus[0]'],
  ['structure array given one object', 'DescribeCertificates', { Tags: { TagKey: 'a' } }, 'Tags'],
  ['structure given a string', 'DescribeCertificates', { Tags: ['env=prod'] }, 'Tags[0]'],
  ['structure member of the wrong type', 'DescribeCertificates', { Tags: [{ TagKey: 5 }] }, 'Tags[0].TagKey'],
  ['value outside a documented enumeration', 'DescribeCertificates', { ExpirationSort: 'NEWEST' }, 'ExpirationSort'],
  ['TaskIds of 101 (bind-resource results)', 'DescribeCertificateBindResourceTaskResult', { TaskIds: ids(101, 't') }, 'TaskIds'],
  ['TaskIds of 101 (delete results)', 'DescribeDeleteCertificatesTaskResult', { TaskIds: ids(101, 't') }, 'TaskIds'],
  ['CertificateIds of 51 (DescribeDeployedResources)', 'DescribeDeployedResources', { CertificateIds: ids(51, 'c'), ResourceType: 'clb' }, 'CertificateIds'],
  ['CertificateIds of 101 (DeleteCertificates)', 'DeleteCertificates', { CertificateIds: ids(101, 'c') }, 'CertificateIds'],
  ['CertificateIds of 101 (bind-resource task)', 'CreateCertificateBindResourceSyncTask', { CertificateIds: ids(101, 'c'), IsCache: 1 }, 'CertificateIds'],
  ['CertificateIds of 51 (expiring notifications)', 'ModifyCertificatesExpiringNotificationSwitch', { CertificateIds: ids(51, 'c'), SwitchStatus: 1 }, 'CertificateIds'],
  ['CertificateIdList of 10 000', 'ModifyCertificateProject', { CertificateIdList: ids(10_000, 'c'), ProjectId: 1 }, 'CertificateIdList'],
];

export const scalarTypes: AbuseCase[] = TYPED.map(([name, action, body, field]) => ({
  name: `${action}: ${name}`,
  shape: 'rest',
  status: 400,
  code: BAD_REQUEST,
  field,
  request: restPost(`/v1/actions/${action}`, typeof body === 'string' ? body : JSON.stringify(body)),
}));

// ---- bodies that are not what the route documents ---------------------------------------------------

const body = (name: string, path: string, payload: string, field?: string, method = 'POST'): AbuseCase => ({
  name,
  shape: 'rest',
  status: 400,
  code: BAD_REQUEST,
  field,
  request: restPost(path, payload, {}, method),
});

export const bodies: AbuseCase[] = [
  body('unknown member', '/v1/actions/DescribeCertificates', '{"Foo":1}', 'Foo'),
  body('member in the wrong case (did you mean)', '/v1/actions/DescribeCertificates', '{"limit":1}', 'limit'),
  body('member in upper case', '/v1/actions/DescribeCertificates', '{"LIMIT":1}', 'LIMIT'),
  body('unknown member inside a structure', '/v1/actions/DescribeCertificates', '{"Tags":[{"TagKey":"a","Foo":1}]}', 'Tags[0].Foo'),
  body('1000 unknown members', '/v1/actions/DescribeCertificates', JSON.stringify(Object.fromEntries(range(1000).map((i) => [`F${i}`, i]))), 'F0'),
  body('null body', '/v1/actions/DescribeCertificates', 'null', ''),
  body('empty array body', '/v1/actions/DescribeCertificates', '[]', ''),
  body('array of objects body', '/v1/actions/DescribeCertificates', '[{"Limit":1}]', ''),
  body('string body', '/v1/actions/DescribeCertificates', '"Limit=1"', ''),
  body('number body', '/v1/actions/DescribeCertificates', '42', ''),
  body('boolean body', '/v1/actions/DescribeCertificates', 'true', ''),
  body('100 000 levels of nested arrays', '/v1/actions/DescribeCertificates', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, ''),
  body('50 000 levels of nested objects in a member', '/v1/actions/DescribeCertificates', `{"Tags":[${'{"TagKey":'.repeat(50_000)}1${'}'.repeat(50_000)}]}`, 'Tags[0].TagKey'),
  body('upload without its required member', '/v1/certificates', '{}', 'CertificatePublicKey'),
  body('upload with a null body', '/v1/certificates', 'null', ''),
  body('upload with an array body', '/v1/certificates', '[]', ''),
  body('upload with an unknown member', '/v1/certificates', '{"CertificatePublicKey":"x","Foo":1}', 'Foo'),
  body('batch delete with a null body', '/v1/certificates:batch-delete', 'null', ''),
  body('batch delete with ids as a string', '/v1/certificates:batch-delete', '{"CertificateIds":"a,b"}', 'CertificateIds'),
  body('bind-resource task with an array body', '/v1/certificates/abc/bind-resource-tasks', '[]', ''),
  body('replacement repeating the path id in the body', '/v1/certificates/abc/replacement', '{"OldCertificateId":"x","ResourceTypes":["clb"]}', 'OldCertificateId', 'PUT'),
  body('retry with a string body', '/v1/deployments/update/1/retry', '"now"', ''),
];

// ---- query strings -----------------------------------------------------------------------------------

const query = (name: string, path: string, field?: string, method = 'GET'): AbuseCase => ({
  name,
  shape: 'rest',
  status: 400,
  code: BAD_REQUEST,
  field,
  request: restGet(path, method),
});

export const queryStrings: AbuseCase[] = [
  // A repeated scalar is ambiguous (which one wins differs between proxies, WAFs and us), and a
  // repeated list silently loses values: refuse both rather than pick the first.
  query('repeated limit (1 then 5000)', '/v1/certificates?limit=1&limit=5000', 'limit'),
  query('repeated status list', '/v1/certificates?status=1&status=3', 'status'),
  query('limit=-1', '/v1/certificates?limit=-1', 'limit'),
  query('limit=1e309', '/v1/certificates?limit=1e309', 'limit'),
  query('offset=abc', '/v1/certificates?offset=abc', 'offset'),
  query('limit=1.5', '/v1/certificates?limit=1.5', 'limit'),
  query('limit=0x10', '/v1/certificates?limit=0x10', 'limit'),
  query('limit=%00', '/v1/certificates?limit=%00', 'limit'),
  query('limit of 20 digits', '/v1/certificates?limit=99999999999999999999', 'limit'),
  query('limit above the documented maximum', '/v1/certificates?limit=1001', 'limit'),
  query('negative offset', '/v1/certificates?offset=-5', 'offset'),
  // Integers are canonical decimal text only: no spaces, leading zeros, signs on zero or "+".
  query('limit with surrounding spaces', '/v1/certificates?limit=%205%20', 'limit'),
  query('limit with a leading zero', '/v1/certificates?limit=010', 'limit'),
  query('limit with a plus sign', '/v1/certificates?limit=%2B5', 'limit'),
  query('offset written -0', '/v1/certificates?offset=-0', 'offset'),
  query('deployment detail limit with a leading zero', '/v1/deployments/deploy/1?limit=010', 'limit'),
  query('deployment detail offset with a space', '/v1/deployments/deploy/1?offset=%201', 'offset'),
  query('PHP-style array name', '/v1/certificates?limit[]=1', 'limit[]'),
  query('NoSQL operator name', '/v1/certificates?limit[$gt]=1', 'limit[$gt]'),
  query('unknown parameter', '/v1/certificates?foo=bar', 'foo'),
  query('empty item in a list', '/v1/certificates?status=1,,3', 'status'),
  query('undocumented status code', '/v1/certificates?status=99', 'status[0]'),
  query('status given by name', '/v1/certificates?status=ISSUED', 'status'),
  query('value outside an enumeration', '/v1/certificates?expirationSort=sideways', 'expirationSort'),
  query('broken percent-encoding in a name', '/v1/certificates?%zz=1', '%zz'),
  query('checkResources=maybe', '/v1/certificates/abc?checkResources=maybe', 'checkResources', 'DELETE'),
  query('unknown parameter on DELETE', '/v1/certificates/abc?force=true', 'force', 'DELETE'),
  query('delete tasks without ids', '/v1/delete-tasks?ids=', 'ids'),
  query('101 delete task ids', `/v1/delete-tasks?ids=${ids(101, 't').join(',')}`, 'ids'),
  query('delete task ids with a traversal item', '/v1/delete-tasks?ids=a,..%2fb', 'ids[1]'),
  query('download URL repeating the path id in the query', '/v1/certificates/abc/download-url?certificateId=other', 'certificateId'),
];
