/**
 * `deployTarget(s)` on the host instance types: the exact `InstanceIdList` entries that
 * `deployCertificate` (`DeployCertificateInstance`) expects, computed from the instance lists so
 * that clients never assemble `lb|listener|domain` by hand.
 *
 * Formats, per the DeployCertificateInstance documentation:
 * - clb: `LoadBalancerId|ListenerId|Domain` for each rule of a listener with SNI on,
 *   `LoadBalancerId|ListenerId` for a listener with SNI off and for layer-4 listeners;
 * - cdn: `Domain|on` or `Domain|off` (the HTTPS billing switch; the target keeps the current one);
 * - ddos: `InsId|Domain|VirtualPort`; live, vod, waf: `Domain`; teo: `Domain` (the `Host` member);
 * - apigateway: `ServiceId|Domain`; tke: `ClusterId|NameSpace|SecretName`;
 * - cos: `Region|Bucket|Domain`; lighthouse: `Region|InstanceId|Domain`.
 *
 * Listeners, rules, namespaces and secrets do not carry their parents' ids, so the list fields
 * that hand them down (`ClbInstanceDetail.listeners`, ...) remember each child's parent in a
 * WeakMap; they still read the member through the default (contract-checked) field resolver.
 */
import type { GraphQLFieldResolver } from 'graphql';
import { withContractChecks } from '../contract';
import { createFieldResolver } from '../convert';
import type { GraphQLModel } from '../model';

type Json = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);
/** `a|b|c`, or null when a part is missing (no guessed target is better than a wrong one). */
const join = (...parts: unknown[]): string | null => {
  const t = parts.map(text);
  return t.every((p): p is string => p !== null) ? t.join('|') : null;
};
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => x !== null && typeof x === 'object') : []);
const present = (values: (string | null)[]): string[] => [...new Set(values.filter((v): v is string => v !== null))];

const sniOn = (listener: Json): boolean => listener.SniSwitch === 1;

/** A CLB listener's own target: only listeners with SNI off (and layer-4 listeners) are targeted whole. */
export function clbListenerTarget(loadBalancerId: unknown, listener: Json): string | null {
  return sniOn(listener) ? null : join(loadBalancerId, listener.ListenerId);
}

/** A CLB rule's target: only the rules of a listener with SNI on are targeted one by one (by domain). */
export function clbRuleTarget(loadBalancerId: unknown, listener: Json, rule: Json): string | null {
  return sniOn(listener) ? join(loadBalancerId, listener.ListenerId, rule.Domain) : null;
}

/** Every target of a CLB instance: one per listener with SNI off, one per rule domain with SNI on. */
export function clbTargets(lb: Json): string[] {
  return present(
    list(lb.Listeners).flatMap((l) => (sniOn(l) ? list(l.Rules).map((r) => clbRuleTarget(lb.LoadBalancerId, l, r)) : [clbListenerTarget(lb.LoadBalancerId, l)])),
  );
}

export function tkeTargets(cluster: Json): string[] {
  return present(list(cluster.NamespaceList).flatMap((ns) => list(ns.SecretList).map((s) => join(cluster.ClusterId, ns.Name, s.Name))));
}

/** The billing switch is part of a CDN target; anything but on/off gives no target. */
export function cdnTarget(d: Json): string | null {
  return d.HttpsBillingSwitch === 'on' || d.HttpsBillingSwitch === 'off' ? join(d.Domain, d.HttpsBillingSwitch) : null;
}

/** Lighthouse answers carry no region; the caller names the region it deploys in. */
export function lighthouseTargets(instance: Json, region: string): string[] {
  const domains = Array.isArray(instance.Domain) ? instance.Domain : [];
  return present(domains.map((d) => join(region, instance.InstanceId, d)));
}

type Resolver = GraphQLFieldResolver<unknown, unknown>;

export function deployTargetResolvers(model: GraphQLModel) {
  const read = withContractChecks(createFieldResolver(model));
  const parents = new WeakMap<object, Json>();
  /** Reads a list member as usual and remembers the parent of every item. */
  const handDown: Resolver = (source, args, ctx, info) => {
    const value = read(source, args, ctx, info);
    if (Array.isArray(value)) for (const child of value) if (child !== null && typeof child === 'object') parents.set(child, source as Json);
    return value;
  };

  return {
    ClbInstanceDetail: {
      listeners: handDown,
      deployTargets: (lb: Json) => clbTargets(lb),
    },
    ClbListener: {
      rules: handDown,
      deployTarget: (listener: Json) => clbListenerTarget(parents.get(listener)?.LoadBalancerId, listener),
    },
    ClbListenerRule: {
      deployTarget: (rule: Json) => {
        const listener = parents.get(rule);
        return listener ? clbRuleTarget(parents.get(listener)?.LoadBalancerId, listener, rule) : null;
      },
    },
    TkeInstanceDetail: {
      namespaceList: handDown,
      deployTargets: (cluster: Json) => tkeTargets(cluster),
    },
    TkeNameSpaceDetail: {
      secretList: handDown,
    },
    TkeSecretDetail: {
      deployTarget: (secret: Json) => {
        const ns = parents.get(secret);
        return ns ? join(parents.get(ns)?.ClusterId, ns.Name, secret.Name) : null;
      },
    },
    CdnInstanceDetail: { deployTarget: (d: Json) => cdnTarget(d) },
    DdosInstanceDetail: { deployTarget: (d: Json) => join(d.InstanceId, d.Domain, d.VirtualPort) },
    LiveInstanceDetail: { deployTarget: (d: Json) => join(d.Domain) },
    VodInstanceDetail: { deployTarget: (d: Json) => join(d.Domain) },
    WafInstanceDetail: { deployTarget: (d: Json) => join(d.Domain) },
    TeoInstanceDetail: { deployTarget: (d: Json) => join(d.Host) },
    ApiGatewayInstanceDetail: { deployTarget: (d: Json) => join(d.ServiceId, d.Domain) },
    CosInstanceDetail: { deployTarget: (d: Json) => join(d.Region, d.Bucket, d.Domain) },
    LighthouseInstanceDetail: {
      deployTargets: (d: Json, args: { region: string }) => lighthouseTargets(d, args.region),
    },
  };
}
