/**
 * The operations the fault suite drives, on both surfaces of the deployed gateway (GraphQL and
 * REST), reduced to one outcome shape so a test can be written once and run on each surface.
 *
 * Outcome: `ok` (and `data`) for a success; for a failure the gateway code, the HTTP status the
 * error table gives it (REST: the response status; GraphQL: `extensions.httpStatus`, the HTTP
 * answer itself being 200 with a field error), the upstream code, `outcomeUnknown`, and REST's
 * `Retry-After`.
 */
import type { GatewayFixture } from '../../helpers/fixture';
import type { Simulator } from '../../helpers/simulator';

export type Surface = 'graphql' | 'rest';
export const SURFACES: Surface[] = ['graphql', 'rest'];

export interface Outcome {
  ok: boolean;
  /** HTTP status of the answer (GraphQL: 200 even for field errors). */
  status: number;
  /** Status of the error in the error table (REST: = status; GraphQL: extensions.httpStatus). */
  errorStatus?: number;
  code?: string;
  upstreamCode?: string;
  outcomeUnknown?: boolean;
  retryAfter?: string | null;
  data?: any;
  raw: unknown;
}

async function rest(gw: GatewayFixture, method: string, path: string, json?: unknown): Promise<Outcome> {
  const res = await gw.fetch(path, json === undefined ? { method } : { method, json });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  if (res.status < 400) return { ok: true, status: res.status, data: body, raw: body };
  return {
    ok: false,
    status: res.status,
    errorStatus: res.status,
    code: body?.error?.code,
    upstreamCode: body?.error?.upstream?.code,
    outcomeUnknown: body?.error?.details?.outcomeUnknown === true,
    retryAfter: res.headers.get('retry-after'),
    raw: body,
  };
}

async function graphql(gw: GatewayFixture, query: string, variables: Record<string, unknown>, field: string): Promise<Outcome> {
  const res = await gw.graphql(query, variables);
  const err = res.errors?.[0];
  if (!err) return { ok: res.status === 200 && res.data?.[field] != null, status: res.status, data: res.data?.[field], raw: res };
  return {
    ok: false,
    status: res.status,
    errorStatus: err.extensions?.httpStatus,
    code: err.extensions?.code,
    upstreamCode: err.extensions?.upstream?.code,
    outcomeUnknown: err.extensions?.upstream?.outcomeUnknown === true,
    retryAfter: null,
    raw: res,
  };
}

/** Read: the certificate's detail (`DescribeCertificateDetail` on both surfaces). */
export function readDetail(gw: GatewayFixture, surface: Surface, id: string): Promise<Outcome> {
  return surface === 'rest'
    ? rest(gw, 'GET', `/v1/certificates/${encodeURIComponent(id)}`)
    : graphql(gw, 'query($id: ID!) { certificateDetail(certificateId: $id) { certificateId domain alias } }', { id }, 'certificateDetail');
}

/** Read: a page of certificates with nested fields (`DescribeCertificates`). */
export function readList(gw: GatewayFixture, surface: Surface): Promise<Outcome> {
  return surface === 'rest'
    ? rest(gw, 'GET', '/v1/certificates?limit=3')
    : graphql(
        gw,
        '{ certificates(limit: 3) { totalCount certificates { certificateId domain certificateExtra { domainNumber } tags { tagKey } } } }',
        {},
        'certificates',
      );
}

/** Write: `ModifyCertificateAlias`. */
export function setAlias(gw: GatewayFixture, surface: Surface, id: string, alias: string): Promise<Outcome> {
  return surface === 'rest'
    ? rest(gw, 'POST', '/v1/actions/ModifyCertificateAlias', { CertificateId: id, Alias: alias })
    : graphql(gw, 'mutation($id: ID!, $alias: String) { setCertificateAlias(certificateId: $id, alias: $alias) { certificateId requestId } }', { id, alias }, 'setCertificateAlias');
}

/** Write: `ApplyCertificate` (a new free DV certificate). */
export function applyCertificate(gw: GatewayFixture, surface: Surface, domain: string): Promise<Outcome> {
  return surface === 'rest'
    ? rest(gw, 'POST', '/v1/actions/ApplyCertificate', { DvAuthMethod: 'DNS', DomainName: domain })
    : graphql(gw, 'mutation($d: String!) { applyCertificate(dvAuthMethod: DNS, domainName: $d) { certificateId statusCode } }', { d: domain }, 'applyCertificate');
}

/** Write: `DeployCertificateInstance` (REST: the deployments resource route). */
export function deployCertificate(gw: GatewayFixture, surface: Surface, id: string, instance: string, resourceType: string): Promise<Outcome> {
  return surface === 'rest'
    ? rest(gw, 'POST', `/v1/certificates/${encodeURIComponent(id)}/deployments`, { InstanceIdList: [instance], ResourceType: resourceType })
    : graphql(
        gw,
        'mutation($id: ID!, $i: [String!]!, $t: ResourceType) { deployCertificate(certificateId: $id, instanceIdList: $i, resourceType: $t) { __typename ... on DeploymentStarted { requestId } } }',
        // GraphQL takes the ResourceType enum name of the documented lower-case type (cdn → CDN).
        { id, i: [instance], t: resourceType === 'apigateway' ? 'API_GATEWAY' : resourceType.toUpperCase() },
        'deployCertificate',
      );
}

// ---- simulator state ---------------------------------------------------------------------------

export function certIdByDomain(sim: Simulator, domain: string, status = 1): string {
  const found = [...sim.state.certificates.values()].find((c) => c.domain === domain && c.status === status);
  if (!found) throw new Error(`no seeded certificate ${domain} with status ${status}`);
  return found.id;
}

/** How many times ModifyCertificateAlias was applied to `id` (the simulator logs each change). */
export function aliasChanges(sim: Simulator, id: string): number {
  return sim.state.operationLogs.filter((l) => l.certId === id && l.type === 'updateAlias').length;
}

export function certificatesForDomain(sim: Simulator, domain: string): number {
  return [...sim.state.certificates.values()].filter((c) => c.domain === domain).length;
}

export function deployRecordsFor(sim: Simulator, certId: string): number {
  return [...sim.state.deployRecords.values()].filter((r) => r.certId === certId).length;
}

/** Outcomes the simulator recorded for `action`, in order (`ok`, `fault:reset`, `fault:reset:after`, ...). */
export function simOutcomes(sim: Simulator, action: string): string[] {
  return sim.calls.log({ action }).map((r) => r.outcome);
}

// ---- gateway logs ------------------------------------------------------------------------------

export interface UpstreamAttempt {
  action: string;
  attempt: number;
  outcome: 'success' | 'error';
  upstreamCode?: string;
  requestId?: string;
}

/** Upstream attempts the gateway logged for the requests answered after log line `mark`. */
export function attemptsSince(gw: GatewayFixture, mark: number, action?: string): UpstreamAttempt[] {
  return gw.logs
    .slice(mark)
    .flatMap((l) => (l.upstream as UpstreamAttempt[] | undefined) ?? [])
    .filter((a) => action === undefined || a.action === action);
}

/** Tracks unhandled promise rejections for the duration of a test file. */
export function trackUnhandledRejections(): { readonly reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on('unhandledRejection', onRejection);
  return {
    reasons,
    stop: () => {
      process.off('unhandledRejection', onRejection);
    },
  };
}
