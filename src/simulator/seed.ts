/**
 * Deterministic demo data: the same ids, domains, statuses and bindings for a given seed (key
 * material is generated lazily and differs between runs). All domains are under `.test`.
 *
 * 34 certificates covering every Status 0..15, SVR and CA, DV/OV/EV, free/paid/uploaded, SM2,
 * multi-domain and wildcard; cloud-resource instances of every resource type (some bound); three
 * companies, five managers, four packages, a finished deployment and an operation log.
 */
import { baseCert, newFreeDv, newUploaded, parseUpload } from './certs';
import type { CertRecord, HostInstance, ResourceType, SimState } from './state';
import { DAY, HOUR, MINUTE } from './time';
import { issueCertificate } from './x509';

export function seedDemoData(state: SimState): void {
  const now = state.now();
  const rng = state.rng;
  const issued = (begin: number, months: number): Pick<CertRecord, 'status' | 'certBegin' | 'certEnd' | 'validationPassedAt'> => ({
    status: 1,
    certBegin: begin,
    certEnd: begin + months * 30 * DAY,
    validationPassedAt: begin,
  });
  const paid = (packageType: string, level: 'OV' | 'EV' | 'DV', extra: Partial<CertRecord> = {}): Partial<CertRecord> => ({
    packageType,
    certLevel: level,
    isPaid: true,
    validityMonths: 12,
    companyType: level === 'DV' ? 1 : 2,
    from: 'trustasia',
    orderId: state.newOrderId('CA'),
    dealId: state.newOrderId('DEAL'),
    verifyType: 'DNS',
    ...extra,
  });

  // -- companies & managers --------------------------------------------------------------------
  const companies = [
    { name: 'Example Test Co., Ltd.', city: 'Shenzhen', province: 'Guangdong' },
    { name: 'Acme Test Holdings', city: 'Shanghai', province: 'Shanghai' },
    { name: 'Demo Test Studio', city: 'Beijing', province: 'Beijing' },
  ].map((c) => {
    const id = state.nextCompanyId++;
    state.companies.set(id, {
      id,
      name: c.name,
      country: 'CN',
      province: c.province,
      city: c.city,
      address: `${rng.int(900) + 100} Test Road, ${c.city}`,
      phone: `0755-${String(rng.int(90000000) + 10000000)}`,
      idType: 'TYDMZ',
      idNumber: `91440300${rng.hex(10).toUpperCase()}`,
      tags: [],
    });
    return id;
  });
  const managerSeeds: [number, string, string, string][] = [
    [companies[0], 'Lei', 'Li', 'ok'],
    [companies[0], 'Mei', 'Wang', 'audit'],
    [companies[1], 'Ada', 'Test', 'ok'],
    [companies[1], 'Bob', 'Example', 'expired'],
    [companies[2], 'Cai', 'Demo', 'none'],
  ];
  const managers = managerSeeds.map(([companyId, first, last, status], n) => {
    const id = state.nextManagerId++;
    state.managers.set(id, {
      id,
      companyId,
      firstName: first,
      lastName: last,
      position: 'IT Manager',
      phone: `1380000${String(1000 + n)}`,
      mail: `${first.toLowerCase()}.${last.toLowerCase()}@example.test`,
      department: 'IT',
      contactFirstName: first,
      contactLastName: last,
      contactPosition: 'Engineer',
      contactPhone: `1390000${String(1000 + n)}`,
      contactMail: `ops${n}@example.test`,
      status,
      createdAt: now - (200 - n) * DAY,
      submitAuditAt: status === 'none' ? undefined : now - (100 - n) * DAY,
      verifyAt: status === 'ok' || status === 'expired' ? now - (99 - n) * DAY : undefined,
      expireAt: status === 'ok' ? now + 200 * DAY : status === 'expired' ? now - DAY : undefined,
      auditDoneAt: status === 'audit' ? now + state.durations.managerAudit : undefined,
      domains: n === 0 ? ['example.test'] : n === 2 ? ['acme.test'] : [],
      tags: [],
    });
    return id;
  });

  // -- packages -------------------------------------------------------------------------------
  const packageSeeds: [string, number, number, string, number][] = [
    ['ssl_100', 100, 64, 'usable', 365],
    ['ssl_500', 500, 500, 'usable', 200],
    ['ssl_100', 100, 0, 'used', 100],
    ['ssl_2000', 2000, 1200, 'expired', -5],
  ];
  for (const [type, total, balance, status, days] of packageSeeds) {
    const id = `pkg-${rng.lower(8)}`;
    state.packages.set(id, {
      id,
      total,
      balance,
      type,
      pid: 1022447,
      status,
      createdAt: now - 30 * DAY,
      updatedAt: now - 2 * DAY,
      expireAt: now + days * DAY,
      sourceType: 'buy',
    });
  }

  // -- certificates -----------------------------------------------------------------------------
  const dv = (domain: string, init: Partial<CertRecord> = {}): CertRecord =>
    newFreeDv(state, { domain, verifyType: 'DNS_AUTO', insertTime: now - 40 * DAY, ...init }, { scheduleIssue: false });

  const www = dv('www.example.test', { ...issued(now - 30 * DAY, 3), alias: 'website', tags: [{ TagKey: 'env', TagValue: 'prod' }] });
  const wildcard = baseCert(state, {
    domain: '*.example.test',
    altNames: ['example.test'],
    ...paid('7', 'OV', { managerId: managers[0], companyId: companies[0], domainNumber: 2 }),
    ...issued(now - 100 * DAY, 12),
    insertTime: now - 101 * DAY,
    alias: 'wildcard-prod',
    tags: [{ TagKey: 'env', TagValue: 'prod' }],
  });
  const api = dv('api.example.test', { ...issued(now - 20 * DAY, 3) });
  dv('shop.example.test', { status: 0, statusMsg: 'PENDING-DCV', insertTime: now - 5 * MINUTE, verifyAt: now + 10_000, issueAt: now + 30_000 });
  dv('mail.example.test', { status: 4, statusMsg: 'PENDING-DCV', insertTime: now - 10 * MINUTE, issueAt: now + 60_000 });
  dv('legacy.example.test', { status: 3, certBegin: now - 200 * DAY, certEnd: now - 110 * DAY, validationPassedAt: now - 200 * DAY, insertTime: now - 201 * DAY });
  const ev = baseCert(state, {
    domain: 'ev.example.test',
    ...paid('4', 'EV', { managerId: managers[2], companyId: companies[1] }),
    ...issued(now - 60 * DAY, 12),
    insertTime: now - 62 * DAY,
  });
  baseCert(state, { domain: 'ov.example.test', ...paid('6', 'OV'), status: 5, statusMsg: '', insertTime: now - 3 * DAY });
  baseCert(state, {
    domain: 'ov2.example.test',
    ...paid('6', 'OV', { managerId: managers[0], companyId: companies[0] }),
    status: 8,
    insertTime: now - 4 * DAY,
    submitted: { CsrType: 'online', CertificateDomain: 'ov2.example.test', OrganizationName: 'Example Test Co., Ltd.', VerifyType: 'DNS' },
  });
  dv('revoking.example.test', { ...issued(now - 50 * DAY, 3), status: 9, revokeAt: now + 10_000 });
  dv('revoked.example.test', { ...issued(now - 80 * DAY, 3), status: 10, revokedAt: now - 20 * DAY });
  const reissueOrigin = dv('reissue.example.test', { ...issued(now - 70 * DAY, 3), reissueCount: 1 });
  const reissued = dv('reissue.example.test', { status: 11, replacedBy: reissueOrigin.id, insertTime: now - HOUR, issueAt: now + 30_000 });
  reissueOrigin.replacedFor = reissued.id;
  baseCert(state, { domain: 'revoke-letter.example.test', ...paid('6', 'OV'), ...issued(now - 90 * DAY, 12), status: 12, insertTime: now - 91 * DAY });
  dv('free-pending.example.test', { status: 13, statusMsg: '', insertTime: now - 2 * HOUR });
  baseCert(state, { domain: 'refunded.example.test', ...paid('14', 'OV'), status: 14, insertTime: now - 20 * DAY });
  dv('migrating.example.test', { ...issued(now - 10 * DAY, 3), status: 15 });
  dv('failed.example.test', { status: 2, statusMsg: '域名验证超时，订单自动关闭，请您重新进行证书申请', insertTime: now - 9 * DAY });
  baseCert(state, { domain: 'cancelling.example.test', ...paid('6', 'OV'), status: 6, cancelAt: now + 10_000, insertTime: now - DAY });
  baseCert(state, { domain: 'cancelled.example.test', ...paid('9', 'OV'), status: 7, insertTime: now - 15 * DAY });

  const uploadedLeaf = issueCertificate({
    commonName: 'upload.example.test',
    altNames: ['upload.example.test', 'static.upload.example.test'],
    notBefore: now - 10 * DAY,
    notAfter: now + 355 * DAY,
    algorithm: 'ECC',
  });
  const uploaded = newUploaded(state, parseUpload(uploadedLeaf.chainPem, uploadedLeaf.privateKeyPem, 'SVR'), {
    alias: 'uploaded-by-ops',
    insertTime: now - 9 * DAY,
  });
  const clientCa = issueCertificate({
    commonName: 'Example Test Client CA',
    notBefore: now - 30 * DAY,
    notAfter: now + 3 * 365 * DAY,
    isCa: true,
    selfSigned: true,
    organization: 'Example Test Co., Ltd.',
  });
  const ca = newUploaded(state, parseUpload(clientCa.certificatePem, undefined, 'CA'), { alias: 'client-ca', insertTime: now - 29 * DAY });
  const sm = baseCert(state, {
    domain: 'sm.example.test',
    ...paid('54', 'DV', { from: 'dnspod' }),
    isSM: true,
    encryptAlgorithm: 'SM2',
    keyParameter: 'sm2p256v1',
    ...issued(now - 15 * DAY, 12),
    insertTime: now - 16 * DAY,
  });
  const multi = baseCert(state, {
    domain: 'multi.example.test',
    altNames: ['a.example.test', 'b.example.test', 'live.example.test', 'vod.example.test'],
    ...paid('15', 'OV', { managerId: managers[0], companyId: companies[0], domainNumber: 5 }),
    ...issued(now - 40 * DAY, 12),
    insertTime: now - 41 * DAY,
  });
  const soon = dv('soon.example.test', { ...issued(now - 80 * DAY, 3), alias: 'expires-soon' });
  const demo = dv('demo.test', { ...issued(now - 12 * DAY, 3) });
  const acme = baseCert(state, { domain: '*.acme.test', ...paid('12', 'DV', { managerId: managers[2] }), ...issued(now - 5 * DAY, 12), insertTime: now - 6 * DAY });
  const renewal = dv('www.example.test', { status: 0, statusMsg: 'PENDING-DCV', originCertificateId: www.id, insertTime: now - 30 * MINUTE, verifyAt: now + 10_000, issueAt: now + 30_000 });
  www.renewOrder = renewal.id;
  const oldUploadLeaf = issueCertificate({ commonName: 'old-upload.example.test', notBefore: now - 400 * DAY, notAfter: now - 35 * DAY });
  newUploaded(state, parseUpload(oldUploadLeaf.certificatePem, oldUploadLeaf.privateKeyPem, 'SVR'), { insertTime: now - 390 * DAY });
  const cdnCert = dv('cdn.example.test', { ...issued(now - 25 * DAY, 3) });
  dv('broken-bind.example.test', {
    ...issued(now - 25 * DAY, 3),
    alias: 'bind-task-fails',
    bindTaskError: { Code: 'FailedOperation.RoleNotFoundAuthorization', Message: '角色不存在，请授权 SSL_QCSLinkedRoleInReplaceLoadCertificate' },
  });
  dv('noisy.example.test', { ...issued(now - 70 * DAY, 3), ignoreExpiringNotice: true });
  dv('proj.example.test', { ...issued(now - 3 * DAY, 3), projectId: 1001, tags: [{ TagKey: 'team', TagValue: 'payments' }] });
  baseCert(state, {
    domain: 'secure.acme.test',
    ...paid('16', 'EV', { managerId: managers[2], companyId: companies[1] }),
    status: 0,
    statusMsg: 'CA-REVIEWING',
    insertTime: now - 2 * DAY,
    issueAt: now + state.durations.paidIssue,
    submitted: { CsrType: 'online', CertificateDomain: 'secure.acme.test', OrganizationName: 'Acme Test Holdings', VerifyType: 'DNS' },
  });

  // -- cloud resources --------------------------------------------------------------------------
  const add = (type: ResourceType, init: Omit<HostInstance, 'key' | 'resourceType'>): HostInstance =>
    state.addInstance({ key: `${type}:${init.deployId}`, resourceType: type, ...init });

  const lb1 = `lb-${rng.lower(8)}`;
  const lbl1 = `lbl-${rng.lower(8)}`;
  const lbl2 = `lbl-${rng.lower(8)}`;
  add('clb', { region: 'ap-guangzhou', deployId: `${lb1}|${lbl1}|www.example.test`, instanceId: lb1, instanceName: 'web-lb', listenerId: lbl1, listenerName: 'https-443', sniSwitch: 1, protocol: 'HTTPS', forward: 1, locationId: `loc-${rng.lower(8)}`, url: '/', domains: ['www.example.test'], certId: www.id, port: 443 });
  add('clb', { region: 'ap-guangzhou', deployId: `${lb1}|${lbl1}|api.example.test`, instanceId: lb1, instanceName: 'web-lb', listenerId: lbl1, listenerName: 'https-443', sniSwitch: 1, protocol: 'HTTPS', forward: 1, locationId: `loc-${rng.lower(8)}`, url: '/v1', domains: ['api.example.test'], certId: api.id, port: 443 });
  add('clb', { region: 'ap-guangzhou', deployId: `${lb1}|${lbl1}|shop.example.test`, instanceId: lb1, instanceName: 'web-lb', listenerId: lbl1, listenerName: 'https-443', sniSwitch: 1, protocol: 'HTTPS', forward: 1, locationId: `loc-${rng.lower(8)}`, url: '/', domains: ['shop.example.test'], certId: '', port: 443 });
  add('clb', { region: 'ap-guangzhou', deployId: `${lb1}|${lbl2}`, instanceId: lb1, instanceName: 'web-lb', listenerId: lbl2, listenerName: 'https-8443', sniSwitch: 0, protocol: 'HTTPS', forward: 1, domains: ['portal.example.test'], certId: wildcard.id, port: 8443 });
  const lb2 = `lb-${rng.lower(8)}`;
  const lbl3 = `lbl-${rng.lower(8)}`;
  add('clb', { region: 'ap-shanghai', deployId: `${lb2}|${lbl3}`, instanceId: lb2, instanceName: 'tcp-ssl-lb', listenerId: lbl3, listenerName: 'tcp-ssl-993', sniSwitch: 0, protocol: 'TCP_SSL', forward: 1, domains: ['mail.example.test'], certId: wildcard.id, caCertId: ca.id, sslMode: 'MUTUAL', port: 993 });
  const lb3 = `lb-${rng.lower(8)}`;
  const lbl4 = `lbl-${rng.lower(8)}`;
  add('clb', { region: 'ap-beijing', deployId: `${lb3}|${lbl4}`, instanceId: lb3, instanceName: 'flaky-lb', listenerId: lbl4, listenerName: 'https-443', sniSwitch: 0, protocol: 'HTTPS', forward: 0, domains: ['flaky.example.test'], certId: wildcard.id, port: 443, failDeploy: true });
  const lb4 = `lb-${rng.lower(8)}`;
  const lbl5 = `lbl-${rng.lower(8)}`;
  add('clb', { region: 'ap-guangzhou', deployId: `${lb4}|${lbl5}`, instanceId: lb4, instanceName: 'upload-lb', listenerId: lbl5, listenerName: 'https-443', sniSwitch: 0, protocol: 'HTTPS', forward: 1, domains: ['upload.example.test'], certId: uploaded.id, port: 443 });

  add('cdn', { region: '', deployId: 'www.example.test', instanceId: 'www.example.test', instanceName: 'www.example.test', domains: ['www.example.test'], certId: www.id, status: 'online', httpsBillingSwitch: 'on' });
  add('cdn', { region: '', deployId: 'static.example.test', instanceId: 'static.example.test', instanceName: 'static.example.test', domains: ['static.example.test'], certId: wildcard.id, status: 'online', httpsBillingSwitch: 'on' });
  add('cdn', { region: '', deployId: 'cdn.example.test', instanceId: 'cdn.example.test', instanceName: 'cdn.example.test', domains: ['cdn.example.test'], certId: cdnCert.id, status: 'online', httpsBillingSwitch: 'off' });
  add('cdn', { region: '', deployId: 'img.example.test', instanceId: 'img.example.test', instanceName: 'img.example.test', domains: ['img.example.test'], certId: '', status: 'offline', httpsBillingSwitch: 'off' });

  add('waf', { region: 'ap-guangzhou', deployId: 'shop.example.test', instanceId: 'shop.example.test', instanceName: 'shop.example.test', domains: ['shop.example.test'], certId: wildcard.id, keepalive: 1 });
  add('waf', { region: 'ap-guangzhou', deployId: 'waf.example.test', instanceId: 'waf.example.test', instanceName: 'waf.example.test', domains: ['waf.example.test'], certId: '', keepalive: 0 });

  add('live', { region: '', deployId: 'live.example.test', instanceId: 'live.example.test', instanceName: 'live.example.test', domains: ['live.example.test'], certId: multi.id, liveStatus: 1 });
  add('live', { region: '', deployId: 'play.example.test', instanceId: 'play.example.test', instanceName: 'play.example.test', domains: ['play.example.test'], certId: '', liveStatus: -1 });

  add('vod', { region: '', deployId: 'vod.example.test', instanceId: 'vod.example.test', instanceName: 'vod.example.test', domains: ['vod.example.test'], certId: multi.id });
  add('vod', { region: '', deployId: 'media.example.test', instanceId: 'media.example.test', instanceName: 'media.example.test', domains: ['media.example.test'], certId: '' });

  add('ddos', { region: '', deployId: 'bgpip-000001ms|multi.example.test|443', instanceId: 'bgpip-000001ms', instanceName: 'bgpip-000001ms', domains: ['multi.example.test'], certId: multi.id, protocol: 'https', virtualPort: '443' });
  add('ddos', { region: '', deployId: 'bgpip-000002ms|a.example.test|443', instanceId: 'bgpip-000002ms', instanceName: 'bgpip-000002ms', domains: ['a.example.test'], certId: '', protocol: 'https', virtualPort: '443' });

  const cls = `cls-${rng.lower(8)}`;
  add('tke', { region: 'ap-guangzhou', deployId: `${cls}|default|secret-www`, instanceId: cls, instanceName: 'prod-cluster', clusterName: 'prod-cluster', clusterType: 'tke', clusterVersion: '1.28.3', namespace: 'default', secretName: 'secret-www', ingressName: 'www-ingress', domains: ['app.example.test'], certId: wildcard.id });
  add('tke', { region: 'ap-guangzhou', deployId: `${cls}|payments|secret-pay`, instanceId: cls, instanceName: 'prod-cluster', clusterName: 'prod-cluster', clusterType: 'tke', clusterVersion: '1.28.3', namespace: 'payments', secretName: 'secret-pay', ingressName: 'pay-ingress', domains: ['pay.example.test'], certId: '' });

  const svc = `service-${rng.lower(8)}`;
  add('apigateway', { region: 'ap-guangzhou', deployId: `${svc}|api.example.test`, instanceId: svc, instanceName: 'public-api', domains: ['api.example.test'], certId: api.id, protocol: 'https' });
  add('apigateway', { region: 'ap-guangzhou', deployId: `${svc}|gw.example.test`, instanceId: svc, instanceName: 'public-api', domains: ['gw.example.test'], certId: '', protocol: 'http&https' });

  const env = `env-${rng.lower(10)}`;
  add('tcb', { region: 'ap-shanghai', deployId: `AccessService|ap-shanghai|${env}|demo.test`, instanceId: env, instanceName: 'demo-env', envId: env, envName: 'demo-env', tcbType: 'AccessService', domains: ['demo.test'], certId: demo.id, status: 'online' });
  add('tcb', { region: 'ap-shanghai', deployId: `HostService|ap-shanghai|${env}|www.demo.test`, instanceId: env, instanceName: 'demo-env', envId: env, envName: 'demo-env', tcbType: 'HostService', domains: ['www.demo.test'], certId: '', status: 'online' });

  const zone = `zone-${rng.lower(10)}`;
  add('teo', { region: '', deployId: 'teo.example.test', instanceId: 'teo.example.test', instanceName: 'teo.example.test', zoneId: zone, domains: ['teo.example.test'], certId: wildcard.id, status: 'deployed' });
  add('teo', { region: '', deployId: 'edge.acme.test', instanceId: 'edge.acme.test', instanceName: 'edge.acme.test', zoneId: zone, domains: ['edge.acme.test'], certId: acme.id, status: 'deployed' });

  add('cos', { region: 'ap-guangzhou', deployId: 'ap-guangzhou|assets-1250000000|assets.api.example.test', instanceId: 'assets-1250000000', instanceName: 'assets-1250000000', bucket: 'assets-1250000000', domains: ['assets.api.example.test'], certId: api.id, status: 'ENABLED' });
  add('cos', { region: 'ap-hongkong', deployId: 'ap-hongkong|static-1250000000|static.example.test', instanceId: 'static-1250000000', instanceName: 'static-1250000000', bucket: 'static-1250000000', domains: ['static.example.test'], certId: '', status: 'ENABLED' });

  const lh = `lhins-${rng.lower(8)}`;
  add('lighthouse', { region: 'ap-shanghai', deployId: `ap-shanghai|${lh}|demo.test`, instanceId: lh, instanceName: 'demo-lighthouse', ips: ['203.0.113.10'], domains: ['demo.test'], certId: demo.id });

  const gw = `gateway-${rng.lower(8)}`;
  add('tse', { region: 'ap-guangzhou', deployId: `${gw}|${demo.id}`, instanceId: gw, instanceName: 'cloud-native-gw', gatewayId: gw, gatewayName: 'cloud-native-gw', domains: ['demo.test'], certId: demo.id });

  // -- history: a finished deployment of `www` to CDN and an operation log ----------------------
  const cdnWww = [...state.instances.values()].find((i) => i.resourceType === 'cdn' && i.certId === www.id);
  if (cdnWww) {
    const record = state.createRecord({ kind: 'deploy', type: 0, certId: www.id, oldCertId: '', resourceTypes: ['cdn'], regions: [], createdAt: now - 29 * DAY });
    state.scheduleDetails(record, [{ instance: cdnWww, certId: www.id, oldCertId: '' }], now - 29 * DAY);
    for (const d of record.details) {
      d.status = 1;
      d.updatedAt = d.doneAt;
    }
  }
  const logs: [CertRecord, string, string, number][] = [
    [www, 'apply', '申请免费证书', 40],
    [wildcard, 'buy', '购买付费证书', 101],
    [uploaded, 'upload', '上传证书', 9],
    [ev, 'download', '下载证书', 30],
    [sm, 'updateAlias', '修改备注', 10],
    [soon, 'changeProject', '修改项目', 5],
  ];
  for (const [cert, type, verb, daysAgo] of logs) {
    state.operationLogs.push({
      at: now - daysAgo * DAY,
      certId: cert.id,
      type,
      action: `用户[uin: ${state.ownerUin}] ${verb} 证书[id: ${cert.id}]`,
      uin: state.ownerUin,
      subAccountUin: state.ownerUin,
    });
  }
}
