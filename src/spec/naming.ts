/**
 * GraphQL field names for documented members (DESIGN.md "Interfaces other tools rely on"):
 * lowerCamelCase with a leading acronym lowered as a whole:
 *   CertId → certId, SSLDeployTime → sslDeployTime, IsDV → isDV, CAEndTimes → caEndTimes,
 *   CLB → clb, TSE → tse.
 */
export function fieldName(member: string): string {
  const lead = /^[A-Z]+/.exec(member)?.[0] ?? '';
  if (lead.length === 0) return member;
  if (lead.length === member.length) return member.toLowerCase();
  if (lead.length === 1) return member[0].toLowerCase() + member.slice(1);
  // "SSLDeploy": the run's last capital starts the next word ("Deploy"), unless a digit or
  // underscore follows the run ("CA2" keeps "ca2").
  const next = member[lead.length];
  const keep = /[a-z]/.test(next) ? lead.length - 1 : lead.length;
  return member.slice(0, keep).toLowerCase() + member.slice(keep);
}

/** The inverse direction is never computed: models keep the documented name beside the field name. */
