/**
 * Cost of a GraphQL operation, counted in upstream calls, estimated before execution.
 *
 * The estimate is an upper bound of what the resolvers can do (it errs towards "too expensive"):
 * - a root field of a documented action is one call; when the action pages, the lists of its
 *   response hold `limit` items (the documented default when absent, null or 0, since the
 *   upstream answers 0 with its default page; never more than the documented maximum:
 *   `certificates` → DescribeCertificates Limit default 10, max 1000);
 * - hand-written fields follow `UPSTREAM_FIELDS`: batched lookups cost ⌈items / batch⌉
 *   (certificates 1000, tasks 100, deployed resources 50 per call), single-id navigation
 *   (`Certificates.detail`, a deployment record's progress) one call per parent object,
 *   account-wide reads (`operateLogs`) one call;
 * - fields reading the same loaded state in one selection set share one lookup (`group`);
 * - `awaitCompletion(timeoutSeconds)` costs its polls: the number of fetches of the polling
 *   schedule (`pollUntil`: a fetch, then pauses of initialDelay, ×2 each time up to maxDelay) that
 *   fit in the timeout, capped by the wait policy's maximum (defaults: 10 s → 7 polls, 20 s → 10);
 *   deployments started with the update actions repeat their start call on the same schedule;
 * - list fields nothing sizes hold `assumedListSize` items; a list argument's length sizes lists
 *   of ids; a `limit`/`first` argument sizes the list it pages;
 * - the loaders' request-wide sharing (two `certificate(id:)` fields batch into one call) is
 *   ignored: each field is counted on its own;
 * - fields of an abstract type: the most expensive possible type counts;
 * - `@skip`/`@include` are honoured when their condition is known;
 * - introspection fields cost nothing (they never reach the upstream).
 *
 * Unknown variables (`variables` undefined: a validation rule runs before variables are known)
 * are assumed at their documented maximum, so the Apollo plugin (which knows the variables) is
 * the precise check and the validation rule the conservative one.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getAction } from '../../spec';
import { backoffDelay } from '../../time/backoff';
import { DEFAULT_WAIT_POLICY, type WaitPolicy } from '../../tasks/wait';
import { OPERATIONS } from '../operations';
import { fragmentsOf, isSkipped, variablesWithDefaults, type Variables } from './ast';
import { upstreamFieldRule, type SizeRule, type UpstreamFieldRule } from './upstream-fields';

export { DEFAULT_MAX_COST } from './settings';
export const DEFAULT_ASSUMED_LIST_SIZE = 100;

export interface CostOptions {
  /** Variable values; undefined = unknown (each variable assumed at its documented maximum). */
  variables?: Variables;
  /** The wait policy of `awaitCompletion` fields. @default DEFAULT_WAIT_POLICY */
  waitPolicy?: WaitPolicy;
  /** Items assumed in a list nothing sizes. @default 100 */
  assumedListSize?: number;
}

export interface FieldCost {
  /** Schema coordinate, `Type.field`. */
  field: string;
  /** First response path where the field was seen, e.g. `certificates.certificates.detail`. */
  path: string;
  /** Upstream calls attributed to the field (all occurrences). */
  calls: number;
  actions: readonly string[];
}

export interface CostEstimate {
  /** Estimated upstream calls for the whole operation. */
  cost: number;
  /** Fields that cost something, most expensive first. */
  fields: FieldCost[];
}

/**
 * Fetches made by `pollUntil` within `timeoutSeconds` (capped by the policy's maximum wait), when
 * every fetch takes no time: the first one, then one after each pause of the schedule.
 */
export function maxPolls(timeoutSeconds: number, policy: WaitPolicy = DEFAULT_WAIT_POLICY): number {
  const seconds = Number.isFinite(timeoutSeconds) ? Math.min(Math.max(timeoutSeconds, 0), policy.maxWaitSeconds) : policy.maxWaitSeconds;
  const total = seconds * 1000;
  let polls = 1;
  let elapsed = 0;
  while (elapsed < total && polls < 10_000) {
    // The waits' schedule (src/tasks/wait.ts); a pause of at least 1 ms keeps the count finite.
    elapsed += Math.min(Math.max(backoffDelay(polls, policy.initialDelayMs, policy.maxDelayMs), 1), total - elapsed);
    polls += 1;
  }
  return polls;
}

const ACTION_BY_ROOT_FIELD: ReadonlyMap<string, string> = new Map(OPERATIONS.map((o) => [`${o.root}.${o.field}`, o.action]));

/** The generic rule of a documented action's root field: one call; `limit` sizes its lists. */
function actionRule(action: string): UpstreamFieldRule {
  const limit = getAction(action)?.inputs.find((m) => m.name === 'Limit');
  const size: SizeRule | undefined = limit
    ? { arg: 'limit', mode: 'value', ...(limit.default !== undefined ? { default: limit.default } : {}), ...(limit.max !== undefined ? { max: limit.max } : {}) }
    : undefined;
  return { actions: [action], calls: { kind: 'once' }, ...(size ? { size } : {}) };
}

/** The rule of a field: hand-written table first, then the documented action of a root field. */
export function fieldCostRule(typeName: string, fieldName: string): UpstreamFieldRule | undefined {
  const rule = upstreamFieldRule(typeName, fieldName);
  if (rule) {
    const action = ACTION_BY_ROOT_FIELD.get(`${typeName}.${fieldName}`);
    // A hand-written root rule without its own size inherits the action's page size.
    return action && !rule.size ? { ...rule, ...(actionRule(action).size ? { size: actionRule(action).size } : {}) } : rule;
  }
  const action = ACTION_BY_ROOT_FIELD.get(`${typeName}.${fieldName}`);
  return action ? actionRule(action) : undefined;
}

type Known = { known: true; value: unknown } | { known: false };

interface Tally {
  cost: number;
  fields: Map<string, FieldCost>;
}

function isListField(field: GraphQLField<unknown, unknown>): boolean {
  const t = isNonNullType(field.type) ? field.type.ofType : field.type;
  return isListType(t);
}

function mergeInto(target: Map<string, FieldCost>, source: ReadonlyMap<string, FieldCost>): void {
  for (const [k, v] of source) {
    const prev = target.get(k);
    if (prev) prev.calls += v.calls;
    else target.set(k, { ...v });
  }
}

class Estimator {
  private readonly memo = new Map<string, Tally>();
  private readonly visiting = new Set<string>();
  private readonly vars: Record<string, unknown> | undefined;
  private readonly policy: WaitPolicy;
  private readonly assumed: number;
  private readonly roots: Map<string, string>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    operation: OperationDefinitionNode,
    options: CostOptions,
  ) {
    this.vars = options.variables === undefined ? undefined : variablesWithDefaults(operation, options.variables);
    this.policy = options.waitPolicy ?? DEFAULT_WAIT_POLICY;
    this.assumed = options.assumedListSize ?? DEFAULT_ASSUMED_LIST_SIZE;
    this.roots = new Map();
    const q = schema.getQueryType();
    const m = schema.getMutationType();
    if (q) this.roots.set(q.name, 'Query');
    if (m) this.roots.set(m.name, 'Mutation');
  }

  private logical(type: GraphQLObjectType): string {
    return this.roots.get(type.name) ?? type.name;
  }

  private argument(node: FieldNode, name: string): Known | undefined {
    const arg = node.arguments?.find((a) => a.name.value === name);
    if (!arg) return undefined;
    if (arg.value.kind === Kind.VARIABLE) {
      if (this.vars === undefined) return { known: false };
      const v = this.vars[arg.value.name.value];
      return v === undefined ? undefined : { known: true, value: v };
    }
    return { known: true, value: valueFromASTUntyped(arg.value, this.vars) };
  }

  private schemaDefault(def: GraphQLField<unknown, unknown>, name: string): unknown {
    return def.args.find((a) => a.name === name)?.defaultValue;
  }

  private size(rule: SizeRule, node: FieldNode, def: GraphQLField<unknown, unknown>): number {
    const fallback = rule.max ?? this.assumed;
    const a = this.argument(node, rule.arg);
    if (rule.mode === 'length') {
      if (a === undefined) return 0;
      if (!a.known) return fallback;
      if (Array.isArray(a.value)) return a.value.length;
      return a.value === null || a.value === undefined ? 0 : 1;
    }
    // Absent, null and 0 all get the default page (the upstream answers 0 with its default, the
    // resolvers send null as absent): counting them as 0 items made nested calls free.
    const page = (): number => {
      const d = this.schemaDefault(def, rule.arg);
      if (typeof d === 'number' && d > 0) return d;
      return rule.default !== undefined && rule.default > 0 ? rule.default : fallback;
    };
    let n: number;
    if (a === undefined) n = page();
    else if (!a.known) return fallback;
    else if (a.value === null || a.value === undefined) n = page();
    else {
      n = typeof a.value === 'number' || typeof a.value === 'string' ? Number(a.value) : Number.NaN;
      if (!Number.isFinite(n) || n < 0) return fallback;
      if (n === 0) n = page();
    }
    return Math.ceil(rule.max !== undefined ? Math.min(n, rule.max) : n);
  }

  private timeout(node: FieldNode, def: GraphQLField<unknown, unknown>): number {
    const a = this.argument(node, 'timeoutSeconds');
    if (a === undefined) {
      const d = this.schemaDefault(def, 'timeoutSeconds');
      return typeof d === 'number' ? d : this.policy.maxWaitSeconds;
    }
    if (!a.known) return this.policy.maxWaitSeconds;
    const n = Number(a.value);
    return Number.isFinite(n) ? n : this.policy.maxWaitSeconds;
  }

  /** Sizes a list field with no rule: its own `limit`/`first` argument, else the parent's page size. */
  private pagedSize(node: FieldNode, def: GraphQLField<unknown, unknown>, pageSize: number | undefined): number {
    for (const name of ['first', 'limit']) {
      if (def.args.some((a) => a.name === name)) return this.size({ arg: name, mode: 'value' }, node, def);
    }
    return pageSize ?? this.assumed;
  }

  operation(op: OperationDefinitionNode): CostEstimate {
    const root = op.operation === 'mutation' ? this.schema.getMutationType() : op.operation === 'query' ? this.schema.getQueryType() : this.schema.getSubscriptionType();
    if (!root) return { cost: 0, fields: [] };
    const r = this.selectionSet(op.selectionSet, root, 1, undefined, '');
    const fields = [...r.fields.values()].filter((f) => f.calls > 0).sort((a, b) => b.calls - a.calls || a.field.localeCompare(b.field));
    return { cost: r.cost, fields };
  }

  private selectionSet(ss: SelectionSetNode, type: GraphQLCompositeType, n: number, pageSize: number | undefined, path: string): Tally {
    if (isAbstractType(type)) {
      let best: Tally = { cost: 0, fields: new Map() };
      for (const t of this.schema.getPossibleTypes(type)) {
        const r = this.objectSelectionSet(ss, t, n, pageSize, path, new Set());
        if (r.cost > best.cost) best = r;
      }
      return best;
    }
    return this.objectSelectionSet(ss, type as GraphQLObjectType, n, pageSize, path, new Set());
  }

  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (!condition || condition === type.name) return true;
    const c = this.schema.getType(condition);
    if (!c) return false;
    if (isAbstractType(c)) return this.schema.isSubType(c, type);
    return false;
  }

  private objectSelectionSet(
    ss: SelectionSetNode,
    type: GraphQLObjectType,
    n: number,
    pageSize: number | undefined,
    path: string,
    groups: Set<string>,
  ): Tally {
    const out: Tally = { cost: 0, fields: new Map() };
    for (const sel of ss.selections) {
      if (isSkipped(sel, this.vars)) continue;
      if (sel.kind === Kind.FIELD) {
        const r = this.field(sel, type, n, pageSize, path, groups);
        out.cost += r.cost;
        mergeInto(out.fields, r.fields);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        if (!this.applies(sel.typeCondition?.name.value, type)) continue;
        const r = this.objectSelectionSet(sel.selectionSet, type, n, pageSize, path, groups);
        out.cost += r.cost;
        mergeInto(out.fields, r.fields);
      } else {
        const frag = this.fragments.get(sel.name.value);
        if (!frag || !this.applies(frag.typeCondition.name.value, type)) continue;
        const key = `${frag.name.value}|${type.name}|${n}|${pageSize ?? ''}`;
        let r = this.memo.get(key);
        if (!r) {
          if (this.visiting.has(key)) continue; // fragment cycle: reported by graphql's own rule
          this.visiting.add(key);
          r = this.objectSelectionSet(frag.selectionSet, type, n, pageSize, path, new Set());
          this.visiting.delete(key);
          this.memo.set(key, r);
        }
        out.cost += r.cost;
        mergeInto(out.fields, r.fields);
      }
    }
    return out;
  }

  private field(node: FieldNode, parent: GraphQLObjectType, n: number, pageSize: number | undefined, path: string, groups: Set<string>): Tally {
    const name = node.name.value;
    const out: Tally = { cost: 0, fields: new Map() };
    if (name.startsWith('__')) return out;
    const def = parent.getFields()[name];
    if (!def) return out;
    const typeName = this.logical(parent);
    const here = path ? `${path}.${node.alias?.value ?? name}` : (node.alias?.value ?? name);
    const rule = fieldCostRule(typeName, name);
    const list = isListField(def);

    // Items this field yields across all parents.
    let items = n;
    let childPage: number | undefined;
    if (list) {
      const each = rule?.size ? this.size(rule.size, node, def) : this.pagedSize(node, def, pageSize);
      items = n * each;
    } else if (rule?.size) {
      childPage = this.size(rule.size, node, def);
    }

    let calls = 0;
    if (rule) {
      switch (rule.calls.kind) {
        case 'none':
          break;
        case 'once':
          calls = 1;
          break;
        case 'per-parent':
          calls = n;
          break;
        case 'batched':
          calls = Math.ceil(items / rule.calls.batch);
          break;
      }
      if (rule.group !== undefined) {
        if (groups.has(rule.group)) calls = 0;
        else if (calls > 0) groups.add(rule.group);
      }
      if (rule.repeats === 'timeout') calls *= maxPolls(this.timeout(node, def), this.policy);
      else if (rule.repeats === 'max-wait') calls *= maxPolls(this.policy.maxWaitSeconds, this.policy);
      if (calls > 0) {
        const key = `${typeName}.${name}`;
        out.fields.set(key, { field: key, path: here, calls, actions: rule.actions });
      }
    }
    out.cost += calls;

    const named = getNamedType(def.type);
    if (node.selectionSet && isCompositeType(named) && items > 0) {
      const r = this.selectionSet(node.selectionSet, named, items, childPage, here);
      out.cost += r.cost;
      mergeInto(out.fields, r.fields);
    }
    return out;
  }
}

/** Estimates one operation of `document` (by `operationName`, or the only one). */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  options: CostOptions & { operationName?: string | null; operation?: OperationDefinitionNode } = {},
): CostEstimate {
  const op =
    options.operation ??
    document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!options.operationName || d.name?.value === options.operationName),
    );
  if (!op) return { cost: 0, fields: [] };
  return new Estimator(schema, fragmentsOf(document), op, options).operation(op);
}

/** Client-facing message naming the most expensive fields. */
export function costMessage(estimate: CostEstimate, max: number, assumption = ''): string {
  const top = estimate.fields
    .slice(0, 3)
    .map((f) => `${f.path} ${f.calls} (${f.actions.join(', ') || 'upstream'})`)
    .join('; ');
  return (
    `Operation too expensive: it may make ${estimate.cost} upstream calls${assumption}; the maximum is ${max} per operation.` +
    (top ? ` Most expensive fields: ${top}.` : '') +
    ' Ask for fewer items (limit, ids), fewer navigation fields or shorter waits.'
  );
}
