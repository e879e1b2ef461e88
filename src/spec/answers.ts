/**
 * Where the upstream's answers and its documentation disagree, decided member by member.
 *
 * The documentation marks ~150 output members "may return null"; everything else reads as always
 * present. Its own response examples and the simulator (which follows the examples) answer null
 * for a few more. For each of those the safer reading wins: the member is nullable in GraphQL and
 * in OpenAPI, and not required. The contract test (test/integration/contract) checks every
 * documented example and every simulated answer against both schemas, so a new disagreement
 * fails there and is decided here.
 *
 * Keys: `Structure.Member` or `Action.out.Member`; values say where the null was seen and why it
 * is plausible.
 */
import type { MemberSpec } from './types';

export const ANSWERED_NULL: Readonly<Record<string, string>> = Object.freeze({
  'ClbListener.Certificate': 'Null for SNI listeners, whose certificates are per rule (simulator; the documented example shows a non-SNI listener).',
  'ClbListenerRule.Certificate': 'Null for a rule that has no certificate of its own (simulator).',
  'ClbListenerRule.Url': 'Null in the documented DescribeHostClbInstanceList and DescribeCertificateBindResourceTaskDetail examples.',
  'ClbInstanceDetail.Forward': 'Null in the documented DescribeHostClbInstanceList and DescribeCertificateBindResourceTaskDetail examples.',
  'Certificate.CertCaId': 'Null in the documented DescribeHostClbInstanceList example (one-way authentication has no CA certificate).',
  'Certificate.SSLMode': 'Null in the documented DescribeHostClbInstanceList example.',
  'DeployRecordDetail.Url': 'Null in the documented DescribeHostDeployRecordDetail examples of every non-CLB resource type.',
  'UpdateRecordDetail.Url': 'Null in the documented DescribeHostUpdateRecordDetail example for non-CLB resources (documented as CLB only).',
  'Certificates.CertRevokedTime': 'Absent from the documented DescribeCertificates example (a certificate never revoked): nullable and not required.',
  'Certificates.HostingResourceTypes': 'Null in the documented DescribeCertificates example.',
  'CompanyInfo.Tags': 'Null in the documented DescribeCompanies and DescribeManagerDetail examples.',
  'ManagerInfo.Tags': 'Null in the documented DescribeManagers example.',
  'ManagerStatusInfo.ManagerPreAuditDomains': 'Null in the documented DescribeManagerDetail example.',
  'DescribeCertificateBindResourceTaskDetail.out.COS': 'Null in the documented example (no COS resources).',
  'DescribeCertificateBindResourceTaskDetail.out.TSE': 'Null in the documented example (no TSE resources).',
});

/**
 * Integer members that the documentation's own examples answer as a numeric string. Clients get
 * the documented integer in GraphQL (the Int scalar reads numeric strings); OpenAPI describes both.
 */
export const ANSWERED_AS_STRING: Readonly<Record<string, string>> = Object.freeze({
  'DeployRecordDetail.Port': 'The documented DescribeHostDeployRecordDetail example for CLB answers "443".',
});

/** Whether an output member may be null: documented "may return null", or decided above. */
export function outputNullable(owner: string, m: MemberSpec): boolean {
  return m.nullable || Object.prototype.hasOwnProperty.call(ANSWERED_NULL, `${owner}.${m.name}`);
}

export function answeredAsString(owner: string, m: MemberSpec): boolean {
  return Object.prototype.hasOwnProperty.call(ANSWERED_AS_STRING, `${owner}.${m.name}`);
}
