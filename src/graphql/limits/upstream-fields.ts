/**
 * Which GraphQL fields call the SSL API, which actions they call, and how the number of calls
 * grows with the number of parent objects. One table feeds the cost estimator (`cost.ts`) and the
 * scope guard (`src/auth/graphql.ts`: a field that reads upstream needs the `read` scope).
 *
 * Root fields of documented actions (the `OPERATIONS` table) need no row: each is one call of its
 * action, and when the action pages (`Limit`), the lists of its response hold `limit` items
 * (documented default when absent, capped at the documented maximum). Rows below describe the
 * hand-written fields of `schema/*.graphql` and the resolvers in `src/graphql/resolvers/`; a unit
 * test checks that every hand-written resolver is either listed here or in `FREE_FIELDS`.
 *
 * Call scaling, for N parent objects (N = 1 at the root):
 * - `none`:       the field makes no call (it builds a reference object or reads a snapshot);
 * - `once`:       one call whatever N is (an account-wide read shared through a loader);
 * - `per-parent`: N calls (single-id actions cannot batch; a loader only deduplicates);
 * - `batched`:    ⌈items / batch⌉ calls, items = N × (list size of the field, 1 if not a list).
 *
 * `group`: fields of one selection set that read the same loaded state (the status of a task, a
 * certificate's list entry) share one lookup; the group is counted once per selection set.
 * `repeats`: the calls are repeated for each poll of a bounded wait: `timeout` = the field's
 * `timeoutSeconds` argument (capped by the wait policy), `max-wait` = the wait policy's maximum.
 * `size`: how many items a list field (or, for an object field, each list directly inside its
 * result) holds: the length of a list argument, or the value of a page-size argument.
 */
import { CERTIFICATE_BATCH, DEPLOYED_RESOURCES_BATCH, TASK_BATCH } from '../loaders';

export type CallScaling =
  | { kind: 'none' }
  | { kind: 'once' }
  | { kind: 'per-parent' }
  | { kind: 'batched'; batch: number };

export interface SizeRule {
  /** Argument that sizes the list. */
  arg: string;
  /** `length`: the argument is a list of ids; `value`: the argument is a page size. */
  mode: 'length' | 'value';
  /** Used when the argument is absent (page sizes: the documented default). */
  default?: number;
  /** Upper bound (documented cap); also the assumption for an unknown (variable) value. */
  max?: number;
}

export interface UpstreamFieldRule {
  /** Actions the field (or the object state it reads) may call; drives the scope check. */
  actions: readonly string[];
  calls: CallScaling;
  group?: string;
  repeats?: 'timeout' | 'max-wait';
  size?: SizeRule;
}

const NONE = { kind: 'none' } as const;
const ONCE = { kind: 'once' } as const;
const PER_PARENT = { kind: 'per-parent' } as const;
const batched = (batch: number): CallScaling => ({ kind: 'batched', batch });

const CERT_STATE: UpstreamFieldRule = { actions: ['DescribeCertificates'], calls: batched(CERTIFICATE_BATCH), group: 'certificate' };
const BIND_STATE: UpstreamFieldRule = {
  actions: ['DescribeCertificateBindResourceTaskResult'],
  calls: batched(TASK_BATCH),
  group: 'bindTask',
};
const DELETE_STATE: UpstreamFieldRule = { actions: ['DescribeDeleteCertificatesTaskResult'], calls: batched(TASK_BATCH), group: 'deleteTask' };
const DEPLOYMENT_DETAIL_ACTIONS = ['DescribeHostDeployRecordDetail', 'DescribeHostUpdateRecordDetail', 'DescribeHostUploadUpdateRecordDetail'];
const DEPLOYMENT_STATE: UpstreamFieldRule = { actions: DEPLOYMENT_DETAIL_ACTIONS, calls: PER_PARENT, group: 'deploymentProgress' };
const DEPLOYMENT_START = (action: string): UpstreamFieldRule => ({ actions: [action], calls: ONCE, repeats: 'max-wait' });

/** Hand-written fields that call upstream (or hand out objects whose fields do). Key: `Type.field`. */
export const UPSTREAM_FIELDS: Readonly<Record<string, UpstreamFieldRule>> = Object.freeze({
  // --- Query: lookups by id (batched through per-request loaders) and reference objects
  'Query.certificate': { actions: ['DescribeCertificates'], calls: batched(CERTIFICATE_BATCH) },
  'Query.certificatesByIds': { actions: ['DescribeCertificates'], calls: batched(CERTIFICATE_BATCH), size: { arg: 'ids', mode: 'length' } },
  'Query.certificateIssuance': { actions: ['DescribeCertificates', 'CheckCertificateDomainVerification'], calls: NONE },
  'Query.bindResourceTask': { actions: ['DescribeCertificateBindResourceTaskResult'], calls: NONE },
  'Query.bindResourceTasks': { actions: ['DescribeCertificateBindResourceTaskResult'], calls: NONE, size: { arg: 'ids', mode: 'length' } },
  'Query.deleteTask': { actions: ['DescribeDeleteCertificatesTaskResult'], calls: NONE },
  'Query.deleteTasks': { actions: ['DescribeDeleteCertificatesTaskResult'], calls: NONE, size: { arg: 'ids', mode: 'length' } },
  'Query.deploymentRecord': { actions: DEPLOYMENT_DETAIL_ACTIONS, calls: NONE },

  // --- Mutation fields whose result is a task object (the generic one-call rule plus a size)
  'Mutation.createCertificateBindResourceTask': {
    actions: ['CreateCertificateBindResourceSyncTask'],
    calls: ONCE,
    size: { arg: 'certificateIds', mode: 'length', max: 100 },
  },
  'Mutation.deleteCertificates': { actions: ['DeleteCertificates'], calls: ONCE, size: { arg: 'ids', mode: 'length', max: 100 } },
  // The start of a deployment is repeated while the upstream answers DeployRecordId = 0.
  'Mutation.deployCertificate': DEPLOYMENT_START('DeployCertificateInstance'),
  'Mutation.updateCertificateInstances': DEPLOYMENT_START('UpdateCertificateInstance'),
  'Mutation.uploadUpdateCertificateInstances': DEPLOYMENT_START('UploadUpdateCertificateInstance'),

  // --- navigation from a certificate
  'Certificates.detail': { actions: ['DescribeCertificateDetail'], calls: PER_PARENT },
  'Certificates.deployedResources': { actions: ['DescribeDeployedResources'], calls: batched(DEPLOYED_RESOURCES_BATCH) },
  'Certificates.operateLogs': { actions: ['DescribeCertificateOperateLogs'], calls: ONCE },
  'Certificates.issuance': { actions: [], calls: NONE },

  // --- issuance progress
  'CertificateIssuance.certificate': CERT_STATE,
  'CertificateIssuance.status': CERT_STATE,
  'CertificateIssuance.statusCode': CERT_STATE,
  'CertificateIssuance.done': CERT_STATE,
  'CertificateIssuance.issued': CERT_STATE,
  'CertificateIssuance.verification': { actions: ['CheckCertificateDomainVerification'], calls: PER_PARENT },
  'CertificateIssuance.awaitCompletion': { actions: ['DescribeCertificates'], calls: batched(CERTIFICATE_BATCH), repeats: 'timeout' },

  // --- bind-resource tasks
  'BindResourceTask.state': BIND_STATE,
  'BindResourceTask.statusCode': BIND_STATE,
  'BindResourceTask.done': BIND_STATE,
  'BindResourceTask.result': BIND_STATE,
  'BindResourceTask.error': BIND_STATE,
  'BindResourceTask.cacheTime': BIND_STATE,
  'BindResourceTask.detail': { actions: ['DescribeCertificateBindResourceTaskDetail'], calls: PER_PARENT },
  'BindResourceTask.awaitCompletion': {
    actions: ['DescribeCertificateBindResourceTaskResult'],
    calls: batched(TASK_BATCH),
    repeats: 'timeout',
  },

  // --- delete tasks
  'DeleteTask.certificateId': DELETE_STATE,
  'DeleteTask.state': DELETE_STATE,
  'DeleteTask.statusCode': DELETE_STATE,
  'DeleteTask.done': DELETE_STATE,
  'DeleteTask.error': DELETE_STATE,
  'DeleteTask.domains': DELETE_STATE,
  'DeleteTask.cacheTime': DELETE_STATE,
  'DeleteTask.awaitCompletion': { actions: ['DescribeDeleteCertificatesTaskResult'], calls: batched(TASK_BATCH), repeats: 'timeout' },
  'DeleteCertificateResponse.task': { actions: [], calls: NONE },

  // --- deployment records (one record per call: no batch form)
  'DeploymentRecord.progress': DEPLOYMENT_STATE,
  'DeploymentRecord.state': DEPLOYMENT_STATE,
  'DeploymentRecord.done': DEPLOYMENT_STATE,
  'DeploymentRecord.details': { actions: DEPLOYMENT_DETAIL_ACTIONS, calls: PER_PARENT },
  'DeploymentRecord.awaitCompletion': { actions: DEPLOYMENT_DETAIL_ACTIONS, calls: PER_PARENT, repeats: 'timeout' },
});

/**
 * Hand-written resolvers that never call upstream (they read the parent object). Listed so the
 * coverage test can tell "free" from "forgotten".
 */
export const FREE_FIELDS: ReadonlySet<string> = new Set([
  // Cache ids: read from the object already loaded.
  'Certificates.id',
  'DescribeCertificateDetailResponse.id',
  'CertificateIssuance.certificateId',
  'BindResourceTask.id',
  'BindResourceTask.certificateId',
  'DeleteTask.id',
  'DeploymentRecord.id',
  'DeploymentRecord.kind',
  'DeploymentRecord.updateSyncProgress',
  // Deploy targets: computed from the host instance answer already loaded (resolvers/deploy-targets.ts).
  'ClbInstanceDetail.listeners',
  'ClbInstanceDetail.deployTargets',
  'ClbListener.rules',
  'ClbListener.deployTarget',
  'ClbListenerRule.deployTarget',
  'TkeInstanceDetail.namespaceList',
  'TkeInstanceDetail.deployTargets',
  'TkeNameSpaceDetail.secretList',
  'TkeSecretDetail.deployTarget',
  'CdnInstanceDetail.deployTarget',
  'DdosInstanceDetail.deployTarget',
  'LiveInstanceDetail.deployTarget',
  'VodInstanceDetail.deployTarget',
  'WafInstanceDetail.deployTarget',
  'TeoInstanceDetail.deployTarget',
  'ApiGatewayInstanceDetail.deployTarget',
  'CosInstanceDetail.deployTarget',
  'LighthouseInstanceDetail.deployTargets',
]);

export function upstreamFieldRule(typeName: string, fieldName: string): UpstreamFieldRule | undefined {
  const key = `${typeName}.${fieldName}`;
  return Object.prototype.hasOwnProperty.call(UPSTREAM_FIELDS, key) ? UPSTREAM_FIELDS[key] : undefined;
}
