/**
 * Cloud-resource instance lists (DescribeHost*InstanceList) and DescribeDeployedResources.
 */
import { getAction } from '../../spec/index';
import { fail } from '../errors';
import type { CertRecord, HostInstance, ResourceType, SimState } from '../state';
import { formatTime } from '../time';
import { clbDetails, coversDomain, flatDetail, tkeDetails } from '../views';
import { page, type Handler, type Params } from './common';

function domainMatchFilter(filters: { FilterKey?: string; FilterValue?: string }[] | undefined): boolean {
  let match = true;
  for (const f of filters ?? []) {
    if ((f.FilterKey ?? '').toLowerCase() !== 'domainmatch') fail('FailedOperation.InvalidParam', `Unsupported filter \`${f.FilterKey}\`.`);
    if (f.FilterValue !== '0' && f.FilterValue !== '1') fail('FailedOperation.InvalidParam', 'domainMatch filter value must be 0 or 1.');
    match = f.FilterValue === '1';
  }
  return match;
}

function instanceMatches(cert: CertRecord, i: HostInstance): boolean {
  return i.domains.some((d) => coversDomain(cert, d));
}

function selectInstances(state: SimState, type: ResourceType, p: Params): { list: HostInstance[]; cert?: CertRecord } {
  let list = state.instancesOfType(type);
  let cert: CertRecord | undefined;
  if (p.CertificateId) {
    cert = state.requireCertificate(p.CertificateId);
    if (cert.status !== 1) fail('FailedOperation.CertificateNotAvailable', `The certificate status (${cert.status}) does not allow deployment.`);
    const match = domainMatchFilter(p.Filters);
    list = list.filter((i) => instanceMatches(cert as CertRecord, i) === match);
  } else if (p.Filters) {
    domainMatchFilter(p.Filters);
  }
  if (p.OldCertificateId) list = list.filter((i) => i.certId === p.OldCertificateId);
  return { list, cert };
}

function pickOutputs(action: string, full: Record<string, unknown>): Record<string, unknown> {
  const names = new Set((getAction(action)?.outputs ?? []).map((m) => m.name));
  return Object.fromEntries(Object.entries(full).filter(([k]) => names.has(k)));
}

function hasPaging(action: string): boolean {
  return (getAction(action)?.inputs ?? []).some((m) => m.name === 'Limit');
}

function hostList(action: string, type: ResourceType): Handler {
  return ({ state, params: p }) => {
    if (p.ResourceType !== undefined && p.ResourceType !== type) {
      fail('FailedOperation.CertificateHostResourceTypeInvalid', `ResourceType must be \`${type}\` for ${action}.`);
    }
    const { list, cert } = selectInstances(state, type, p);
    let items: Record<string, unknown>[];
    if (type === 'clb') items = clbDetails(state, list, cert);
    else if (type === 'tke') items = tkeDetails(list, cert);
    else items = list.map(flatDetail);
    const total = items.length;
    const shown = hasPaging(action) ? page(items, p.Offset, p.Limit, 10, 200) : items;
    return pickOutputs(action, {
      InstanceList: shown,
      TotalCount: total,
      AsyncTotalNum: 0,
      AsyncOffset: 0,
      AsyncCacheTime: formatTime(state.now()),
    });
  };
}

const DEPLOYED_TYPES: Record<string, ResourceType> = { clb: 'clb', cdn: 'cdn', live: 'live', waf: 'waf', antiddos: 'ddos', ddos: 'ddos', teo: 'teo' };

const DescribeDeployedResources: Handler = ({ state, params: p }) => {
  const ids: string[] = p.CertificateIds;
  if (ids.length === 0 || ids.length > 50) fail('InvalidParameter.CertificateIdNumberLimit', 'CertificateIds must contain 1 to 50 ids.');
  const type = DEPLOYED_TYPES[String(p.ResourceType).toLowerCase()];
  if (!type) fail('InvalidParameter', `ResourceType must be one of clb, cdn, live, waf, antiddos, teo.`);
  const unknown = ids.filter((id) => !state.certificates.has(id));
  if (unknown.length) fail('InvalidParameter.ContainsInvalidCertificateId', `Unknown certificate ids: ${unknown.join(', ')}.`);
  return {
    DeployedResources: ids.map((id) => {
      const bound = state.boundInstances(id, [type]);
      const resources = type === 'clb' ? [...new Set(bound.map((i) => i.instanceId))] : [...new Set(bound.flatMap((i) => i.domains))];
      return { CertificateId: id, Count: resources.length, Type: p.ResourceType, ResourceIds: resources, Resources: resources };
    }),
  };
};

const HOST_ACTIONS: [string, ResourceType][] = [
  ['DescribeHostApiGatewayInstanceList', 'apigateway'],
  ['DescribeHostCdnInstanceList', 'cdn'],
  ['DescribeHostClbInstanceList', 'clb'],
  ['DescribeHostCosInstanceList', 'cos'],
  ['DescribeHostDdosInstanceList', 'ddos'],
  ['DescribeHostLighthouseInstanceList', 'lighthouse'],
  ['DescribeHostLiveInstanceList', 'live'],
  ['DescribeHostTeoInstanceList', 'teo'],
  ['DescribeHostTkeInstanceList', 'tke'],
  ['DescribeHostVodInstanceList', 'vod'],
  ['DescribeHostWafInstanceList', 'waf'],
];

export const hostHandlers: Record<string, Handler> = {
  ...Object.fromEntries(HOST_ACTIONS.map(([action, type]) => [action, hostList(action, type)])),
  DescribeDeployedResources,
};
