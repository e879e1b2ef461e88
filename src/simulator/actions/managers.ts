/**
 * Managers (OV/EV pre-audit contacts) and companies.
 */
import { fail } from '../errors';
import type { Company, Manager, SimState } from '../state';
import { formatTime } from '../time';
import { page, type Handler } from './common';

function companyInfo(c: Company): Record<string, unknown> {
  return {
    CompanyName: c.name,
    CompanyId: c.id,
    CompanyCountry: c.country,
    CompanyProvince: c.province,
    CompanyCity: c.city,
    CompanyAddress: c.address,
    CompanyPhone: c.phone,
    IdType: c.idType,
    IdNumber: c.idNumber,
    Tags: c.tags.map((t) => ({ ...t })),
  };
}

function certCount(state: SimState, m: Manager): number {
  return [...state.certificates.values()].filter((c) => c.managerId === m.id).length;
}

function statusInfo(m: Manager): Record<string, unknown>[] | null {
  if (m.status === 'none') return null;
  const status = m.status === 'ok' ? 'completed' : m.status === 'audit' || m.status === 'CAaudit' ? 'pending' : m.status === 'invalid' ? 'invalid' : m.status;
  return ['ov', 'ev'].map((type) => ({
    Type: type,
    Status: status,
    CreateTime: formatTime(m.submitAuditAt ?? m.createdAt),
    ExpireTime: m.expireAt !== undefined ? formatTime(m.expireAt) : '',
    ManagerPreAuditDomains: m.domains.map((d) => ({
      Domain: d,
      CreateTime: formatTime(m.verifyAt ?? m.createdAt),
      ExpireTime: m.expireAt !== undefined ? formatTime(m.expireAt) : '',
    })),
  }));
}

function requireManager(state: SimState, id: number): Manager {
  const m = state.managers.get(id);
  if (!m) fail('ResourceNotFound.Manager', `The manager \`${id}\` does not exist.`);
  return m;
}

const DescribeManagers: Handler = ({ state, params: p }) => {
  if (!state.companies.has(p.CompanyId)) fail('InvalidParameterValue', `The company \`${p.CompanyId}\` does not exist.`);
  let list = [...state.managers.values()].filter((m) => m.companyId === p.CompanyId);
  if (p.Status) list = list.filter((m) => m.status === p.Status);
  if (p.ManagerName) list = list.filter((m) => `${m.lastName}${m.firstName}`.includes(p.ManagerName) || `${m.firstName} ${m.lastName}`.includes(p.ManagerName));
  if (p.ManagerMail) list = list.filter((m) => m.mail.includes(p.ManagerMail));
  if (p.SearchKey) {
    const parts = String(p.SearchKey).split('|');
    if (parts.length !== 4) fail('FailedOperation.InvalidParam', 'SearchKey must be formatted as LastName|FirstName|Mail|Department.');
    const [last, first, mail, dept] = parts;
    list = list.filter((m) => (!last || m.lastName === last) && (!first || m.firstName === first) && (!mail || m.mail === mail) && (!dept || m.department === dept));
  }
  list.sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  return {
    Managers: page(list, p.Offset, p.Limit, 10, 1000).map((m) => ({
      Status: m.status,
      ManagerFirstName: m.firstName,
      ManagerLastName: m.lastName,
      ManagerPosition: m.position,
      ManagerPhone: m.phone,
      ManagerMail: m.mail,
      ManagerDepartment: m.department,
      CreateTime: formatTime(m.createdAt),
      DomainCount: m.domains.length,
      CertCount: certCount(state, m),
      ManagerId: m.id,
      ExpireTime: m.expireAt !== undefined ? formatTime(m.expireAt) : null,
      SubmitAuditTime: m.submitAuditAt !== undefined ? formatTime(m.submitAuditAt) : null,
      VerifyTime: m.verifyAt !== undefined ? formatTime(m.verifyAt) : null,
      StatusInfo: statusInfo(m),
      Tags: m.tags.map((t) => ({ ...t })),
    })),
    TotalCount: list.length,
  };
};

const DescribeManagerDetail: Handler = ({ state, params: p }) => {
  const m = requireManager(state, p.ManagerId);
  const company = state.companies.get(m.companyId);
  return {
    ManagerFirstName: m.firstName,
    ManagerMail: m.mail,
    ContactFirstName: m.contactFirstName,
    ManagerLastName: m.lastName,
    ContactPosition: m.contactPosition,
    ManagerPosition: m.position,
    VerifyTime: m.verifyAt !== undefined ? formatTime(m.verifyAt) : null,
    CreateTime: formatTime(m.createdAt),
    ExpireTime: m.expireAt !== undefined ? formatTime(m.expireAt) : null,
    ContactLastName: m.contactLastName,
    ManagerPhone: m.phone,
    ContactPhone: m.contactPhone,
    ContactMail: m.contactMail,
    ManagerDepartment: m.department,
    CompanyInfo: company ? companyInfo(company) : undefined,
    CompanyId: m.companyId,
    ManagerId: m.id,
    StatusInfo: statusInfo(m) ?? [],
  };
};

const SubmitAuditManager: Handler = ({ state, params: p }) => {
  const m = requireManager(state, p.ManagerId);
  if (!['none', 'invalid', 'expired', 'expiring'].includes(m.status)) {
    fail('FailedOperation.IllegalManagerStatus', `The manager status \`${m.status}\` does not allow submitting an audit.`);
  }
  startAudit(state, m);
  return { ManagerId: m.id };
};

const VerifyManager: Handler = ({ state, params: p }) => {
  const m = requireManager(state, p.ManagerId);
  if (m.status !== 'audit' && m.status !== 'CAaudit') startAudit(state, m);
  return { ManagerId: m.id };
};

/** Puts a manager under audit now; the audit finishes after the simulator's audit duration. */
function startAudit(state: Parameters<Handler>[0]['state'], m: ReturnType<typeof requireManager>): void {
  const now = state.now();
  m.status = 'audit';
  m.submitAuditAt = now;
  m.auditDoneAt = now + state.durations.managerAudit;
}

const DeleteManager: Handler = ({ state, params: p }) => {
  const m = requireManager(state, p.ManagerId);
  const certs = [...state.certificates.values()].filter((c) => c.managerId === m.id);
  if (certs.some((c) => c.certificateType === 'CA')) fail('FailedOperation.ManagerCanNotDeleteCa', 'The manager is used by CA certificates.');
  if (certs.length) fail('FailedOperation.ManagerCanNotDeleteCert', `The manager is used by ${certs.length} certificate(s).`);
  state.managers.delete(m.id);
  return { ManagerId: m.id };
};

const DescribeCompanies: Handler = ({ state, params: p }) => {
  let list = [...state.companies.values()].sort((a, b) => a.id - b.id);
  if (p.CompanyId !== undefined) list = list.filter((c) => c.id === p.CompanyId);
  return { Companies: page(list, p.Offset, p.Limit, 10, 1000).map(companyInfo), TotalCount: list.length };
};

export const managerHandlers: Record<string, Handler> = {
  DescribeManagers,
  DescribeManagerDetail,
  SubmitAuditManager,
  VerifyManager,
  DeleteManager,
  DescribeCompanies,
};
