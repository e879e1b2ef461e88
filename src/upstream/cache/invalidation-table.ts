/**
 * Which cached reads each write affects: one table, derived from the spec's action names and
 * input members, expressed as tags.
 *
 * A cached read depends on a few tags; a write bumps tags; an entry whose tags were bumped after
 * it was fetched is never served again (see `MemoryCacheStore` / `RedisCacheStore`). Families:
 *
 * | family  | list tag (reads without ids)                               | per-id tags (reads naming ids)                          |
 * |---------|------------------------------------------------------------|---------------------------------------------------------|
 * | cert    | `cert:list`: DescribeCertificates, operate logs, packages, CheckCertificateExist | `cert:id:<id>` + `cert:ids`: domain verification, deployed resources, host instance lists |
 * | deploy  | `deploy:list`: deploy/update record lists, deployed resources, host instance lists | `deploy:id:<id>` + `deploy:ids`: record details |
 * | task    | (none)                                                     | `task:id:<id>` + `task:ids`: task results and details   |
 * | manager | `manager:list`: DescribeManagers                            | `manager:id:<id>` + `manager:ids`: DescribeManagerDetail |
 * | company | `company:list`: DescribeCompanies                           |                                                         |
 *
 * Every read also depends on `all`, bumped when nothing narrower is known to be enough.
 *
 * Writes (correctness over hit rate: when unsure, the whole family):
 * - manager/company actions (`Manager`, `Compan` in the name): `manager:list`, `company:list`,
 *   `manager:id:<ManagerId>` (or `manager:ids` without one);
 * - every other write is about certificates: `cert:list`, `deploy:list` (a certificate's deploy
 *   state shows in instance lists and records), `cert:id:<id>` for every certificate id in the
 *   input (`CertificateId`, `CertId`, `CertificateIds`, `CertificateIdList`, `OldCertificateId`),
 *   or `cert:ids` when it names none (creations, uploads: any entry might be a duplicate);
 * - deployments (an input `DeployRecordId`, or `…Instance` actions): also `deploy:id:<id>` or
 *   `deploy:ids`;
 * - writes that start tasks (an output `…TaskId(s)`): also `task:ids`;
 * - an input `ManagerId`/`CompanyId` on a certificate write: also the manager/company lists.
 * The same tags are bumped whether the write succeeded, failed or has an unknown outcome.
 */
import { spec, type ApiSpec } from '../../spec';

export const ALL_TAG = 'all';

type Params = Readonly<Record<string, unknown>>;

const CERT_ID_INPUTS = ['CertificateId', 'CertId', 'CertificateIds', 'CertificateIdList', 'OldCertificateId'] as const;

/** Non-empty string forms of a scalar or array parameter. */
function ids(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => (typeof v === 'string' && v !== '') || typeof v === 'number').map(String);
}

function idTags(family: string, values: readonly string[]): string[] {
  return values.map((v) => `${family}:id:${v}`);
}

function action(api: ApiSpec, name: string) {
  return Object.prototype.hasOwnProperty.call(api.actions, name) ? api.actions[name] : undefined;
}

/** Tags a cached answer of `name(params)` depends on (always including `all`). */
export function readTags(name: string, params: Params): string[] {
  const tags = new Set<string>([ALL_TAG]);
  const add = (...t: string[]) => t.forEach((x) => tags.add(x));
  const certIds = CERT_ID_INPUTS.flatMap((m) => ids(params[m]));
  if (/Manager/.test(name)) {
    const m = ids(params.ManagerId);
    if (m.length) add('manager:ids', ...idTags('manager', m));
    else add('manager:list');
  } else if (/Compan/.test(name)) {
    add('company:list');
  } else if (/Task(Result|Detail)$/.test(name)) {
    add('task:ids', ...idTags('task', [...ids(params.TaskIds), ...ids(params.TaskId)]));
  } else if (/RecordDetail$/.test(name)) {
    add('deploy:ids', ...idTags('deploy', ids(params.DeployRecordId)));
  } else if (/Record$/.test(name)) {
    add('deploy:list');
  } else if (/^DescribeHost\w*InstanceList$|^DescribeDeployedResources$/.test(name)) {
    add('deploy:list', 'cert:ids', ...idTags('cert', certIds));
  } else if (name === 'CheckCertificateChain') {
    // depends on its input only
  } else if (certIds.length > 0 && !/^DescribeCertificates$/.test(name)) {
    add('cert:ids', ...idTags('cert', certIds));
  } else {
    add('cert:list');
  }
  return [...tags];
}

/** Tags a call of the write `name(params)` bumps, whatever its outcome. */
export function writeTags(name: string, params: Params, api: ApiSpec = spec): string[] {
  const a = action(api, name);
  if (!a) return [ALL_TAG];
  const tags = new Set<string>();
  const add = (...t: string[]) => t.forEach((x) => tags.add(x));
  const inputs = new Set(a.inputs.map((m) => m.name));
  if (/Manager|Compan/.test(name)) {
    const m = ids(params.ManagerId);
    add('manager:list', 'company:list', ...(m.length ? idTags('manager', m) : ['manager:ids']));
    return [...tags];
  }
  const certIds = CERT_ID_INPUTS.filter((m) => inputs.has(m)).flatMap((m) => ids(params[m]));
  add('cert:list', 'deploy:list', ...(certIds.length ? idTags('cert', certIds) : ['cert:ids']));
  if (inputs.has('DeployRecordId') || /Instance$/.test(name)) {
    const d = ids(params.DeployRecordId);
    add(...(d.length ? idTags('deploy', d) : ['deploy:ids']));
  }
  if (a.outputs.some((m) => /TaskIds?$/.test(m.name))) add('task:ids');
  if (inputs.has('ManagerId') || inputs.has('CompanyId')) add('manager:list', 'company:list', 'manager:ids');
  return [...tags];
}
