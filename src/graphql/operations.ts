/**
 * The one table that places every documented action in the GraphQL schema.
 *
 * Read actions (no side effects) are Query fields, the others Mutation fields. Most fields take
 * the documented inputs as arguments and return the documented output (`<Action>Response`);
 * fields that wrap asynchronous work return task objects instead (`returns`), and a few take
 * friendlier arguments (`args`, converted by their resolver in `resolvers/`).
 *
 * The SDL for these fields is generated from this table (`npm run schema:generate`), and the
 * README's action → field table is checked against it by a test.
 */
export interface Operation {
  action: string;
  field: string;
  /** Return type when not the documented `<Action>Response!`. */
  returns?: string;
  /**
   * Argument SDL when not the documented inputs. Argument names must stay the documented members'
   * field names where the resolver converts them with the action's model (retry/rollback: the
   * upstream makes DeployRecordId optional, the gateway needs it to answer the record).
   */
  args?: string;
}

export const QUERY_OPERATIONS: readonly Operation[] = [
  { action: 'CheckCertificateChain', field: 'checkCertificateChain' },
  { action: 'CheckCertificateDomainVerification', field: 'certificateDomainVerification' },
  { action: 'CheckCertificateExist', field: 'certificateExists' },
  { action: 'DescribeCertificate', field: 'certificateSummary' },
  { action: 'DescribeCertificateBindResourceTaskDetail', field: 'bindResourceTaskDetail' },
  { action: 'DescribeCertificateBindResourceTaskResult', field: 'bindResourceTaskResults' },
  { action: 'DescribeCertificateDetail', field: 'certificateDetail' },
  { action: 'DescribeCertificateOperateLogs', field: 'certificateOperateLogs' },
  { action: 'DescribeCertificates', field: 'certificates' },
  { action: 'DescribeCompanies', field: 'companies' },
  { action: 'DescribeDeleteCertificatesTaskResult', field: 'deleteTaskResults' },
  { action: 'DescribeDeployedResources', field: 'deployedResources' },
  { action: 'DescribeDownloadCertificateUrl', field: 'certificateDownloadUrl' },
  { action: 'DescribeHostApiGatewayInstanceList', field: 'hostApiGatewayInstances' },
  { action: 'DescribeHostCdnInstanceList', field: 'hostCdnInstances' },
  { action: 'DescribeHostClbInstanceList', field: 'hostClbInstances' },
  { action: 'DescribeHostCosInstanceList', field: 'hostCosInstances' },
  { action: 'DescribeHostDdosInstanceList', field: 'hostDdosInstances' },
  { action: 'DescribeHostDeployRecord', field: 'deployRecords' },
  { action: 'DescribeHostDeployRecordDetail', field: 'deployRecordDetails' },
  { action: 'DescribeHostLighthouseInstanceList', field: 'hostLighthouseInstances' },
  { action: 'DescribeHostLiveInstanceList', field: 'hostLiveInstances' },
  { action: 'DescribeHostTeoInstanceList', field: 'hostTeoInstances' },
  { action: 'DescribeHostTkeInstanceList', field: 'hostTkeInstances' },
  { action: 'DescribeHostUpdateRecord', field: 'updateRecords' },
  { action: 'DescribeHostUpdateRecordDetail', field: 'updateRecordDetails' },
  { action: 'DescribeHostUploadUpdateRecord', field: 'uploadUpdateRecords' },
  { action: 'DescribeHostUploadUpdateRecordDetail', field: 'uploadUpdateRecordDetails' },
  { action: 'DescribeHostVodInstanceList', field: 'hostVodInstances' },
  { action: 'DescribeHostWafInstanceList', field: 'hostWafInstances' },
  { action: 'DescribeManagerDetail', field: 'managerDetail' },
  { action: 'DescribeManagers', field: 'managers' },
  { action: 'DescribePackages', field: 'packages' },
  { action: 'DownloadCertificate', field: 'downloadCertificate' },
];

export const MUTATION_OPERATIONS: readonly Operation[] = [
  { action: 'ApplyCertificate', field: 'applyCertificate', returns: 'CertificateIssuance!' },
  { action: 'CancelAuditCertificate', field: 'cancelCertificateAudit' },
  { action: 'CancelCertificateOrder', field: 'cancelCertificateOrder' },
  { action: 'CertificateInfoSubmit', field: 'submitCertificateInfo' },
  { action: 'CertificateOrderSubmit', field: 'submitCertificateOrder' },
  { action: 'CommitCertificateInformation', field: 'commitCertificateInformation' },
  { action: 'CompleteCertificate', field: 'completeCertificate' },
  { action: 'CreateCertificate', field: 'createCertificate' },
  {
    action: 'CreateCertificateBindResourceSyncTask',
    field: 'createCertificateBindResourceTask',
    args: 'certificateIds: [ID!]!, useCache: Boolean = true',
    returns: '[BindResourceTask!]!',
  },
  { action: 'CreateCertificateByPackage', field: 'createCertificateByPackage' },
  { action: 'DeleteCertificate', field: 'deleteCertificate' },
  {
    action: 'DeleteCertificates',
    field: 'deleteCertificates',
    args: 'ids: [ID!]!, checkBoundResources: Boolean = false',
    returns: 'DeleteCertificatesOutcome!',
  },
  { action: 'DeleteManager', field: 'deleteManager' },
  { action: 'DeployCertificateInstance', field: 'deployCertificate', returns: 'DeploymentOutcome!' },
  { action: 'DeployCertificateRecordRetry', field: 'retryDeployRecord', args: 'deployRecordId: ID!, deployRecordDetailId: ID', returns: 'DeploymentRecord!' },
  { action: 'DeployCertificateRecordRollback', field: 'rollbackDeployRecord', args: 'deployRecordId: ID!', returns: 'DeploymentRecord!' },
  { action: 'ModifyCertificateAlias', field: 'setCertificateAlias' },
  { action: 'ModifyCertificateProject', field: 'moveCertificatesToProject' },
  { action: 'ModifyCertificateResubmit', field: 'resubmitCertificate' },
  { action: 'ModifyCertificatesExpiringNotificationSwitch', field: 'setCertificatesExpiringNotification' },
  { action: 'ReplaceCertificate', field: 'reissueCertificate' },
  { action: 'RevokeCertificate', field: 'revokeCertificate' },
  { action: 'SubmitAuditManager', field: 'submitManagerAudit' },
  { action: 'SubmitCertificateInformation', field: 'submitCertificateInformation' },
  { action: 'UpdateCertificateInstance', field: 'updateCertificateInstances', returns: 'DeploymentOutcome!' },
  { action: 'UpdateCertificateRecordRetry', field: 'retryUpdateRecord', args: 'deployRecordId: ID!, deployRecordDetailId: ID', returns: 'DeploymentRecord!' },
  { action: 'UpdateCertificateRecordRollback', field: 'rollbackUpdateRecord', args: 'deployRecordId: ID!', returns: 'DeploymentRecord!' },
  { action: 'UploadCertificate', field: 'uploadCertificate' },
  { action: 'UploadConfirmLetter', field: 'uploadConfirmLetter' },
  { action: 'UploadRevokeLetter', field: 'uploadRevokeLetter' },
  { action: 'UploadUpdateCertificateInstance', field: 'uploadUpdateCertificateInstances', returns: 'DeploymentOutcome!' },
  { action: 'UploadUpdateCertificateRecordRetry', field: 'retryUploadUpdateRecord', args: 'deployRecordId: ID!, deployRecordDetailId: ID', returns: 'DeploymentRecord!' },
  { action: 'UploadUpdateCertificateRecordRollback', field: 'rollbackUploadUpdateRecord', args: 'deployRecordId: ID!', returns: 'DeploymentRecord!' },
  { action: 'VerifyManager', field: 'verifyManager' },
];

export const OPERATIONS: readonly (Operation & { root: 'Query' | 'Mutation' })[] = [
  ...QUERY_OPERATIONS.map((o) => ({ ...o, root: 'Query' as const })),
  ...MUTATION_OPERATIONS.map((o) => ({ ...o, root: 'Mutation' as const })),
];

export const operationByAction: ReadonlyMap<string, Operation & { root: 'Query' | 'Mutation' }> = new Map(
  OPERATIONS.map((o) => [o.action, o]),
);
