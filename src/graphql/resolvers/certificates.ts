/**
 * Certificates: lookups by id (batched), navigation from a certificate to its detail, deployed
 * resources and operation logs, and issuance as a pollable object.
 */
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../errors';
import { toUpstreamParams } from '../convert';
import type { GatewayContext } from '../context';
import type { Json } from '../loaders';
import type { FieldModel, GraphQLModel } from '../model';
import { FINAL_CERTIFICATE_STATUSES, ISSUED_STATUS } from '../../tasks/states';
import { awaitState, grantWait, type WaitReport } from '../../tasks/wait';

/** Source object of a `CertificateIssuance`: the id and, after a wait, the polled certificate. */
interface IssuanceRef {
  certificateId: string;
  snapshot?: Json | null;
  /** How the wait that produced this object was bounded (`CertificateIssuance.wait`). */
  wait?: WaitReport;
}

/**
 * Runs the bounded wait of an `awaitCompletion` field: the time asked, capped by the policy and
 * by what is left of the request's deadline. Returns the latest state read (undefined when the
 * deadline left no time for a single poll) and the report the object's `wait` field shows.
 */
export async function boundedWait<T>(
  args: { timeoutSeconds?: unknown },
  ctx: GatewayContext,
  fetch: () => Promise<T>,
  done: (state: T) => boolean,
): Promise<{ state: T | undefined; report: WaitReport }> {
  let granted: ReturnType<typeof grantWait>;
  try {
    granted = grantWait(Number(args.timeoutSeconds ?? 10), ctx.wait.policy, ctx.deadline);
  } catch (e) {
    throw new GraphQLError((e as Error).message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
  const { state, deadlineReached } = await awaitState(fetch, done, granted.timeoutMs, ctx.wait.policy, ctx.wait.clock, ctx.deadline);
  const report = deadlineReached ? { ...granted.report, capped: true, cappedBy: 'DEADLINE' as const, deadlineReached } : granted.report;
  return { state, report };
}

async function issuanceCertificate(ref: IssuanceRef, ctx: GatewayContext): Promise<Json | null> {
  if (ref.snapshot !== undefined) return ref.snapshot;
  return ctx.loaders.certificate.load(ref.certificateId);
}

function statusOf(cert: Json | null): number | null {
  if (!cert || cert.Status === null || cert.Status === undefined) return null;
  return Number(cert.Status);
}

export function certificateResolvers(model: GraphQLModel) {
  // Read from the model when first needed (the model is built lazily; see model.ts).
  const statusEnum = () => model.fieldIndex.get('Certificates')?.get('status');
  const toStatusName = (code: number | null) => (code === null ? null : (statusEnum()?.toEnum?.get(String(code)) ?? null));
  let deployedResourcesArgs: FieldModel[] | undefined;
  const resourceTypeArgs = () => (deployedResourcesArgs ??= model.actions.get('DescribeDeployedResources')!.args.filter((f) => f.name === 'resourceType'));

  return {
    Query: {
      certificate: (_: unknown, args: { id: string }, ctx: GatewayContext) => ctx.loaders.certificate.load(args.id),
      certificatesByIds: (_: unknown, args: { ids: string[] }, ctx: GatewayContext) =>
        ctx.loaders.certificate.loadMany(args.ids).then((rs) =>
          rs.map((r) => {
            if (r instanceof Error) throw r;
            return r;
          }),
        ),
      certificateIssuance: (_: unknown, args: { id: string }): IssuanceRef => ({ certificateId: args.id }),
    },
    Mutation: {
      applyCertificate: async (_: unknown, args: Record<string, unknown>, ctx: GatewayContext): Promise<IssuanceRef> => {
        const am = model.actions.get('ApplyCertificate')!;
        const res = await ctx.upstream.call('ApplyCertificate', toUpstreamParams(am.args, args, model), { signal: ctx.signal });
        return { certificateId: String(res.CertificateId) };
      },
    },
    DescribeCertificateDetailResponse: {
      id: (detail: Json) => detail.CertificateId,
    },
    Certificates: {
      id: (cert: Json) => cert.CertificateId,
      detail: (cert: Json, _: unknown, ctx: GatewayContext) => ctx.loaders.certificateDetail.load(String(cert.CertificateId)),
      deployedResources: (cert: Json, args: { resourceType: string }, ctx: GatewayContext) => {
        // Enum name → the wire value this action documents (ANTIDDOS → antiddos), like the root field.
        const { ResourceType } = toUpstreamParams(resourceTypeArgs(), { resourceType: args.resourceType }, model);
        return ctx.loaders.deployedResources.load(`${String(ResourceType)}|${String(cert.CertificateId)}`);
      },
      operateLogs: async (cert: Json, args: { startTime?: string; endTime?: string }, ctx: GatewayContext) => {
        // DateTime arguments arrive already converted to the upstream form by the scalar.
        const key = `${args.startTime ?? ''}|${args.endTime ?? ''}`;
        const logs = await ctx.loaders.operateLogs.load(key);
        return logs.filter((l) => String(l.CertId) === String(cert.CertificateId));
      },
      issuance: (cert: Json): IssuanceRef => ({ certificateId: String(cert.CertificateId), snapshot: cert }),
    },
    CertificateIssuance: {
      certificateId: (ref: IssuanceRef) => ref.certificateId,
      certificate: (ref: IssuanceRef, _: unknown, ctx: GatewayContext) => issuanceCertificate(ref, ctx),
      statusCode: async (ref: IssuanceRef, _: unknown, ctx: GatewayContext) => statusOf(await issuanceCertificate(ref, ctx)),
      status: async (ref: IssuanceRef, _: unknown, ctx: GatewayContext) => toStatusName(statusOf(await issuanceCertificate(ref, ctx))),
      done: async (ref: IssuanceRef, _: unknown, ctx: GatewayContext) => {
        const s = statusOf(await issuanceCertificate(ref, ctx));
        return s !== null && FINAL_CERTIFICATE_STATUSES.has(s);
      },
      issued: async (ref: IssuanceRef, _: unknown, ctx: GatewayContext) => statusOf(await issuanceCertificate(ref, ctx)) === ISSUED_STATUS,
      verification: async (ref: IssuanceRef, _: unknown, ctx: GatewayContext) => {
        const s = statusOf(await issuanceCertificate(ref, ctx));
        if (s !== null && FINAL_CERTIFICATE_STATUSES.has(s)) return null;
        return ctx.loaders.domainVerification.load(ref.certificateId);
      },
      awaitCompletion: async (ref: IssuanceRef, args: { timeoutSeconds?: number }, ctx: GatewayContext): Promise<IssuanceRef> => {
        const { state, report } = await boundedWait(
          args,
          ctx,
          () => ctx.pollers.certificate.load(ref.certificateId),
          (c) => c === null || FINAL_CERTIFICATE_STATUSES.has(Number(c.Status)),
        );
        if (state === null) {
          throw new GraphQLError(`certificate ${ref.certificateId} was not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
        }
        // No poll fitted in the deadline: the id stays, with the latest state this request read.
        if (state === undefined) return { certificateId: ref.certificateId, snapshot: ref.snapshot, wait: report };
        return { certificateId: ref.certificateId, snapshot: state, wait: report };
      },
    },
  };
}
