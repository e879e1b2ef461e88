/**
 * A corpus of upstream answers for the contract tests: what a client of the gateway can meet.
 *
 * - `documented`: the response examples of the documentation (every action has at least one);
 * - `minimal`: each action called with minimal valid parameters on a freshly seeded simulator;
 * - `seeded`: the demo data reached through every read action (every certificate, every resource
 *   type, every host instance list, every record, manager, company and package);
 * - `states`: tasks and deployments sampled while they run, succeed, fail, retry and roll back.
 *
 * Only successful answers are collected (error envelopes have their own schema).
 */
import { spec } from '../../src/spec';
import { ACTION_INPUTS as builders, cert, issued as issuedCert, newPem, settle } from './action-inputs';
import { call, startSimulator, type Simulator } from './simulator';

export interface Answer {
  action: string;
  source: 'documented' | 'minimal' | 'seeded' | 'states';
  /** What was asked, for failure messages. */
  label: string;
  body: Record<string, unknown>;
}

type Json = Record<string, any>;

class Collector {
  readonly answers: Answer[] = [];
  constructor(
    readonly sim: Simulator,
    readonly source: Answer['source'],
  ) {}

  /** Calls the simulator; keeps a successful answer and returns it (undefined on an error answer). */
  async ask(action: string, params: Json = {}, label = JSON.stringify(params)): Promise<Json | undefined> {
    const r = await call(this.sim, action, params);
    if (r.Error) return undefined;
    this.answers.push({ action, source: this.source, label: `${action} ${label}`.slice(0, 200), body: r });
    return r;
  }
}

export function documentedAnswers(): Answer[] {
  const out: Answer[] = [];
  for (const a of Object.values(spec.actions)) {
    a.examples.forEach((e, i) => {
      const body = e.output as Json | undefined;
      if (body && typeof body === 'object' && !('Error' in body)) out.push({ action: a.name, source: 'documented', label: `${a.name} example ${i + 1}: ${e.title}`, body });
    });
  }
  return out;
}

export async function minimalAnswers(): Promise<Answer[]> {
  const out: Answer[] = [];
  for (const action of Object.keys(spec.actions).sort()) {
    const sim = await startSimulator({ rateLimits: false });
    try {
      const c = new Collector(sim, 'minimal');
      await c.ask(action, await builders[action](sim), 'minimal parameters');
      out.push(...c.answers);
    } finally {
      await sim.close();
    }
  }
  return out;
}

/** Resource types named by the documentation for deployment and host lookups. */
const RESOURCE_TYPES = ['clb', 'cdn', 'ddos', 'live', 'vod', 'waf', 'apigateway', 'teo', 'tke', 'cos', 'lighthouse', 'tse', 'tcb', 'antiddos'];
const HOST_LISTS = Object.keys(spec.actions).filter((a) => /^DescribeHost\w+InstanceList$/.test(a));
const RECORD_DETAIL: Record<string, string> = { deploy: 'DescribeHostDeployRecordDetail', update: 'DescribeHostUpdateRecordDetail', uploadUpdate: 'DescribeHostUploadUpdateRecordDetail' };

async function sweep(c: Collector): Promise<void> {
  const { sim } = c;
  const list = await c.ask('DescribeCertificates', { Limit: 1000 });
  const ids: string[] = (list?.Certificates ?? []).map((x: Json) => String(x.CertificateId));
  for (const filter of [{ Upload: 1 }, { Renew: 1 }, { FilterExpiring: 1 }, { IsPendingIssue: 1 }, { Hostable: 1 }, { Deployable: 1 }]) await c.ask('DescribeCertificates', { Limit: 1000, ...filter });
  for (const id of ids) {
    await c.ask('DescribeCertificateDetail', { CertificateId: id });
    await c.ask('DescribeCertificate', { CertificateId: id });
    await c.ask('CheckCertificateDomainVerification', { CertificateId: id });
    await c.ask('DescribeHostDeployRecord', { CertificateId: id, Limit: 100 });
    await c.ask('DescribeHostUpdateRecord', { CertificateId: id, Limit: 100 });
    for (const host of HOST_LISTS) await c.ask(host, { CertificateId: id, IsCache: 0 });
  }
  for (const type of RESOURCE_TYPES) {
    for (let i = 0; i < ids.length; i += 50) await c.ask('DescribeDeployedResources', { CertificateIds: ids.slice(i, i + 50), ResourceType: type });
  }
  for (const host of HOST_LISTS) if (host !== 'DescribeHostTeoInstanceList') await c.ask(host, {});
  await c.ask('DescribeCertificateOperateLogs', { Limit: 1000 });
  await c.ask('DescribeHostUpdateRecord', { Limit: 100 });
  await c.ask('DescribeHostUploadUpdateRecord', { Limit: 100 });
  await c.ask('DescribePackages', { Limit: 100 });
  const companies = await c.ask('DescribeCompanies', { Limit: 100 });
  for (const co of companies?.Companies ?? []) {
    const managers = await c.ask('DescribeManagers', { CompanyId: co.CompanyId, Limit: 100 });
    for (const m of managers?.Managers ?? []) await c.ask('DescribeManagerDetail', { ManagerId: m.ManagerId, Limit: 100 });
  }
  await records(c);
  void sim;
}

/** The detail of every deployment record the simulator holds, in the record's current state. */
async function records(c: Collector): Promise<void> {
  for (const [id, r] of c.sim.state.deployRecords) {
    const action = RECORD_DETAIL[(r as unknown as { kind: string }).kind] ?? 'DescribeHostDeployRecordDetail';
    await c.ask(action, { DeployRecordId: action === 'DescribeHostUploadUpdateRecordDetail' ? id : String(id), Limit: 100 });
  }
}

export async function seededAnswers(): Promise<Answer[]> {
  const sim = await startSimulator({ rateLimits: false });
  try {
    const c = new Collector(sim, 'seeded');
    await sweep(c);
    return c.answers;
  } finally {
    await sim.close();
  }
}

/** Tasks and deployments sampled in every state they go through. */
export async function stateAnswers(): Promise<Answer[]> {
  const sim = await startSimulator({ rateLimits: false });
  try {
    const c = new Collector(sim, 'states');
    const all: string[] = ((await c.ask('DescribeCertificates', { Limit: 1000 }))?.Certificates ?? []).map((x: Json) => String(x.CertificateId));
    const sample = async () => {
      await c.ask('DescribeCertificateBindResourceTaskResult', { TaskIds: bindTasks });
      for (const t of bindTasks) await c.ask('DescribeCertificateBindResourceTaskDetail', { TaskId: t, Limit: '100' });
      if (deleteTasks.length) await c.ask('DescribeDeleteCertificatesTaskResult', { TaskIds: deleteTasks });
      await records(c);
    };
    const bindTasks: string[] = [];
    for (let i = 0; i < all.length; i += 100) {
      const r = await c.ask('CreateCertificateBindResourceSyncTask', { CertificateIds: all.slice(i, i + 100), IsCache: 0 });
      bindTasks.push(...(r?.CertTaskIds ?? []).map((t: Json) => String(t.TaskId)));
    }
    const deleteTasks: string[] = [];
    // A certificate with bound resources (its delete task fails) and one without (it succeeds).
    for (const domain of ['legacy.example.test', 'www.example.test']) {
      const r = await c.ask('DeleteCertificates', { CertificateIds: [cert(sim, domain)], IsSync: true });
      deleteTasks.push(...(r?.CertTaskIds ?? []).map((t: Json) => String(t.TaskId)));
    }
    await c.ask('DeleteCertificate', { CertificateId: cert(sim, 'cancelled.example.test'), IsCheckResource: true });
    // Deployments to each resource type the seed has instances of, with one failing instance.
    const wildcard = cert(sim, '*.example.test');
    sim.state.setInstanceFailure('img.example.test');
    for (const type of RESOURCE_TYPES) {
      const hosts = await c.ask(`DescribeHost${hostName(type)}InstanceList`, { CertificateId: wildcard, IsCache: 0 });
      const targets = instanceTargets(hosts);
      if (targets.length) await c.ask('DeployCertificateInstance', { CertificateId: wildcard, InstanceIdList: targets.slice(0, 3), ResourceType: type });
    }
    await c.ask('UpdateCertificateInstance', { OldCertificateId: issuedCert(sim, 'api.example.test'), CertificateId: wildcard, ResourceTypes: ['clb', 'cdn'] });
    const pem = newPem('upload.example.test');
    const upload = { OldCertificateId: cert(sim, 'upload.example.test'), ResourceTypes: ['clb'], CertificatePublicKey: pem.pub, CertificatePrivateKey: pem.key };
    await c.ask('UploadUpdateCertificateInstance', upload);
    await sample();
    for (let step = 0; step < 6; step++) {
      sim.advance(2_000);
      await c.ask('UpdateCertificateInstance', { OldCertificateId: issuedCert(sim, 'api.example.test'), CertificateId: wildcard, ResourceTypes: ['clb', 'cdn'] });
      await c.ask('UploadUpdateCertificateInstance', upload);
      await sample();
    }
    settle(sim);
    await sample();
    for (const [id, r] of sim.state.deployRecords) {
      const kind = (r as unknown as { kind: string }).kind;
      const prefix = kind === 'update' ? 'UpdateCertificateRecord' : kind === 'uploadUpdate' ? 'UploadUpdateCertificateRecord' : 'DeployCertificateRecord';
      await c.ask(`${prefix}Retry`, { DeployRecordId: id });
      await c.ask(`${prefix}Rollback`, { DeployRecordId: id });
    }
    await sample();
    settle(sim);
    await sample();
    return c.answers;
  } finally {
    await sim.close();
  }
}

function hostName(type: string): string {
  const names: Record<string, string> = { clb: 'Clb', cdn: 'Cdn', ddos: 'Ddos', live: 'Live', vod: 'Vod', waf: 'Waf', apigateway: 'ApiGateway', teo: 'Teo', tke: 'Tke', cos: 'Cos', lighthouse: 'Lighthouse' };
  return names[type] ?? 'Unknown';
}

/** Deployment targets from a host instance list answer, in the documented InstanceIdList formats. */
function instanceTargets(hosts: Json | undefined): string[] {
  if (!hosts) return [];
  const out: string[] = [];
  for (const lb of hosts.InstanceList ?? []) {
    if (lb.LoadBalancerId) {
      for (const l of lb.Listeners ?? []) {
        if (l.SniSwitch === 1) for (const d of l.Certificate === null ? (l.Rules ?? []).map((r: Json) => r.Domain) : []) out.push(`${lb.LoadBalancerId}|${l.ListenerId}|${d}`);
        else out.push(`${lb.LoadBalancerId}|${l.ListenerId}`);
      }
    } else if (lb.Domain) out.push(`${lb.Domain}${'HttpsBillingSwitch' in lb ? '|off' : ''}`);
  }
  return out;
}

export async function allAnswers(): Promise<Answer[]> {
  return [...documentedAnswers(), ...(await minimalAnswers()), ...(await seededAnswers()), ...(await stateAnswers())];
}
