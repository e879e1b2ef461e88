/**
 * Spec validation of GraphQL arguments, before execution: the same checks the REST facade applies
 * (documented caps of arrays and page sizes, non-negative paging, required members, id shapes),
 * so a GraphQL caller cannot spend upstream calls and rate-limit budget on input the API refuses.
 *
 * Each root field that stands for a documented action has its arguments converted to upstream
 * parameters exactly as its resolver will (`toUpstreamParams`) and validated against the spec
 * (`src/rest/validate.ts`). Lookup fields by id check the id shapes of `src/rest/http.ts`. A
 * problem refuses the whole operation with 400 `BAD_USER_INPUT` listing the field paths.
 */
import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getVariableValues,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { ID_PATTERNS, type IdKind } from '../../spec/ids';
import { summarizeProblems, validateActionInput, type FieldProblem } from '../../spec/validate';
import { toUpstreamParams } from '../convert';
import type { GraphQLModel } from '../model';
import { OPERATIONS } from '../operations';

type Params = Record<string, unknown>;

/** Fields whose arguments are not the documented inputs: how they become upstream parameters. */
const CUSTOM_PARAMS: Readonly<Record<string, (args: Params) => Params>> = {
  createCertificateBindResourceTask: (a) => ({ CertificateIds: a.certificateIds, IsCache: a.useCache === false ? 0 : 1 }),
  deleteCertificates: (a) => ({ CertificateIds: a.ids, IsSync: a.checkBoundResources === true }),
};

/** Lookup fields (no action of their own): which arguments are ids of which kind. */
const LOOKUP_IDS: Readonly<Record<string, Readonly<Record<string, IdKind>>>> = {
  certificate: { id: 'certificate' },
  certificatesByIds: { ids: 'certificate' },
  certificateIssuance: { id: 'certificate' },
  bindResourceTask: { id: 'task' },
  bindResourceTasks: { ids: 'task' },
  deleteTask: { id: 'task' },
  deleteTasks: { ids: 'task' },
  deploymentRecord: { id: 'record' },
};

/** Documented members that are ids, and their shape. */
function idKindOfMember(member: string): IdKind | undefined {
  if (/^(DeployRecordId|DeployRecordDetailId)$/.test(member)) return 'record';
  if (/^(CertificateId|CertificateIds|CertId|CertIds|OldCertificateId|CertificateIdList|TaskId|TaskIds)$/.test(member)) {
    return /Task/.test(member) ? 'task' : 'certificate';
  }
  return undefined;
}

function idProblems(path: string, value: unknown, kind: IdKind): FieldProblem[] {
  const rule = ID_PATTERNS[kind];
  const values = Array.isArray(value) ? value : [value];
  const problems: FieldProblem[] = [];
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    if (!rule.pattern.test(String(v))) {
      problems.push({ path: Array.isArray(value) ? `${path}[${i}]` : path, reason: 'type', message: `not a valid ${kind} id: expected ${rule.description}` });
    }
  });
  return problems;
}

function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, SelectionSetNode>, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const sel of selectionSet.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) out.push(...rootFields(sel.selectionSet, fragments, seen));
    else if (sel.kind === Kind.FRAGMENT_SPREAD && !seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      const frag = fragments.get(sel.name.value);
      if (frag) out.push(...rootFields(frag, fragments, seen));
    }
  }
  return out;
}

/** The problems of one operation's root arguments (empty when valid). */
export function specArgumentProblems(
  schema: GraphQLSchema,
  model: GraphQLModel,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | undefined,
): FieldProblem[] {
  const root: GraphQLObjectType | null | undefined =
    operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : undefined;
  if (!root) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return []; // Apollo reports variable errors itself
  const fragments = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);

  const byField = new Map(OPERATIONS.filter((o) => o.root === (operation.operation === 'query' ? 'Query' : 'Mutation')).map((o) => [o.field, o]));
  const problems: FieldProblem[] = [];
  for (const node of rootFields(operation.selectionSet, fragments)) {
    const def = root.getFields()[node.name.value];
    if (!def) continue;
    let args: Params;
    try {
      args = getArgumentValues(def, node, coerced.coerced);
    } catch (err) {
      if (err instanceof GraphQLError) continue; // reported by GraphQL's own validation
      throw err;
    }
    const prefix = node.alias?.value ?? node.name.value;
    const lookup = LOOKUP_IDS[node.name.value];
    if (lookup) {
      for (const [arg, kind] of Object.entries(lookup)) problems.push(...idProblems(`${prefix}.${arg}`, args[arg], kind));
      continue;
    }
    const op = byField.get(node.name.value);
    if (!op) continue;
    const am = model.actions.get(op.action)!;
    const custom = CUSTOM_PARAMS[op.field];
    let params: Params;
    try {
      params = custom ? custom(args) : toUpstreamParams(am.args, args, model);
    } catch (err) {
      problems.push({ path: prefix, reason: 'type', message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const result = validateActionInput(op.action, params);
    if (!result.ok) problems.push(...result.problems.map((p) => ({ ...p, path: p.path ? `${prefix}.${p.path}` : prefix })));
    for (const [member, value] of Object.entries(params)) {
      const kind = idKindOfMember(member);
      if (kind) problems.push(...idProblems(`${prefix}.${member}`, value, kind));
    }
  }
  return problems;
}

/** Apollo plugin: refuses operations whose root arguments the spec does not allow (400). */
export function createSpecArgumentsPlugin<TContext extends BaseContext>(model: GraphQLModel): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          const problems = specArgumentProblems(rc.schema, model, rc.document, rc.operation, rc.request.variables);
          if (problems.length === 0) return;
          throw new GraphQLError(`Invalid arguments: ${summarizeProblems(problems)}`, {
            extensions: { code: 'BAD_USER_INPUT', fields: problems, http: { status: 400, headers: new HeaderMap() } },
          });
        },
      };
    },
  };
}
