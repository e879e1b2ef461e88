/**
 * Spec validation of GraphQL arguments, before execution: the same checks the REST facade applies
 * (documented caps of arrays and page sizes, non-negative paging, required members, id shapes),
 * so a GraphQL caller cannot spend upstream calls and rate-limit budget on input the API refuses.
 *
 * Each root field that stands for a documented action has its arguments converted to upstream
 * parameters exactly as its resolver will (`toUpstreamParams`) and validated against the spec
 * (`src/rest/validate.ts`); so do the navigation fields of `NESTED_ACTIONS` (a deployment
 * record's `details(limit, offset)`, a task's `detail`), against the members the client gave.
 * Lookup fields by id check the id shapes of `src/rest/http.ts`; ID arguments of Integer members
 * must be canonical decimal (`src/graphql/convert.ts`). A problem refuses the whole operation
 * with 400 `BAD_USER_INPUT` listing the argument paths (`deploymentRecord.details.limit`), before
 * any upstream call.
 */
import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getNamedType,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { ERROR_HTTP_STATUS, ErrorCode } from '../../errors';
import { ID_PATTERNS, type IdKind } from '../../spec/ids';
import { summarizeProblems, validateActionInput, type FieldProblem } from '../../spec/validate';
import { ArgumentConversionError, toUpstreamParams } from '../convert';
import type { FieldModel, GraphQLModel } from '../model';
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

/**
 * Navigation fields whose arguments become documented inputs of an action (the parent object
 * supplies the id): validated like root fields, against every action the field may call
 * (a deployment record's details read one of three actions depending on its kind). Without this,
 * `details(limit: 100000, offset: -5)` went upstream unchanged.
 */
const NESTED_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  'DeploymentRecord.details': ['DescribeHostDeployRecordDetail', 'DescribeHostUpdateRecordDetail', 'DescribeHostUploadUpdateRecordDetail'],
  'BindResourceTask.detail': ['DescribeCertificateBindResourceTaskDetail'],
  'Certificates.deployedResources': ['DescribeDeployedResources'],
  'Certificates.operateLogs': ['DescribeCertificateOperateLogs'],
};

/** A field of the operation with its parent type and response path (aliases). */
interface VisitedField {
  node: FieldNode;
  parent: GraphQLObjectType | GraphQLInterfaceType;
  path: string;
  root: boolean;
}

/**
 * Every field of the operation (each fragment once), with its parent type. Abstract parents
 * (interfaces) resolve fields through their own definitions; unions only hold fragments.
 */
function operationFields(schema: GraphQLSchema, root: GraphQLObjectType, operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): VisitedField[] {
  const out: VisitedField[] = [];
  const seen = new Set<string>();
  const walk = (ss: SelectionSetNode, parent: GraphQLNamedType, path: string, isRoot: boolean): void => {
    for (const sel of ss.selections) {
      if (sel.kind === Kind.FIELD) {
        if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
        const def = parent.getFields()[sel.name.value];
        if (!def) continue;
        const here = path ? `${path}.${sel.alias?.value ?? sel.name.value}` : (sel.alias?.value ?? sel.name.value);
        out.push({ node: sel, parent, path: here, root: isRoot });
        if (sel.selectionSet) walk(sel.selectionSet, getNamedType(def.type), here, false);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (t) walk(sel.selectionSet, t, path, isRoot);
      } else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const frag = fragments.get(sel.name.value);
        const t = frag ? schema.getType(frag.typeCondition.name.value) : undefined;
        if (frag && t) walk(frag.selectionSet, t, path, isRoot);
      }
    }
  };
  walk(operation.selectionSet, root, '', true);
  return out;
}

/** Member path → the client's argument path (`Limit` → `limit`, `Tags[0].TagKey` stays beyond the head). */
function renameHead(path: string, fields: readonly FieldModel[]): string {
  const head = /^[^.[]+/.exec(path)?.[0] ?? path;
  const f = fields.find((x) => x.member === head);
  return f ? f.name + path.slice(head.length) : path;
}

/** Arguments → parameters of `action`, validated; problems carry `prefix.<argument path>`. */
function actionProblems(action: string, args: Params, model: GraphQLModel, prefix: string, custom?: (args: Params) => Params, onlyGiven = false): FieldProblem[] {
  const am = model.actions.get(action)!;
  let params: Params;
  try {
    params = custom ? custom(args) : toUpstreamParams(am.args, args, model);
  } catch (err) {
    if (err instanceof ArgumentConversionError) return [{ path: `${prefix}.${err.argument}`, reason: 'type', message: err.message.replace(/^argument "[^"]*": /, '') }];
    return [{ path: prefix, reason: 'type', message: err instanceof Error ? err.message : String(err) }];
  }
  const problems: FieldProblem[] = [];
  const result = validateActionInput(action, params);
  if (!result.ok) {
    for (const p of result.problems) {
      const head = /^[^.[]+/.exec(p.path)?.[0] ?? p.path;
      // A navigation field's parent supplies the rest (the id): only what the client gave counts.
      if (onlyGiven && !Object.prototype.hasOwnProperty.call(params, head)) continue;
      problems.push({ ...p, path: p.path ? `${prefix}.${renameHead(p.path, am.args)}` : prefix });
    }
  }
  for (const [member, value] of Object.entries(params)) {
    const kind = idKindOfMember(member);
    if (kind) problems.push(...idProblems(`${prefix}.${renameHead(member, am.args)}`, value, kind));
  }
  return problems;
}

/** The problems of one operation's arguments, root and nested (empty when valid). */
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
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);

  const byField = new Map(OPERATIONS.filter((o) => o.root === (operation.operation === 'query' ? 'Query' : 'Mutation')).map((o) => [o.field, o]));
  const problems: FieldProblem[] = [];
  // One problem per argument path: a field checked against several actions (String- and
  // Integer-typed Offset) would otherwise report the same argument twice.
  const seen = new Set<string>();
  const add = (list: FieldProblem[]) => {
    for (const p of list) {
      const key = p.path;
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(p);
      }
    }
  };
  for (const { node, parent, path, root: isRoot } of operationFields(schema, root, operation, fragments)) {
    const name = node.name.value;
    const nested = isRoot ? undefined : NESTED_ACTIONS[`${parent.name}.${name}`];
    if (!isRoot && !nested) continue;
    const def = parent.getFields()[name];
    let args: Params;
    try {
      args = getArgumentValues(def, node, coerced.coerced);
    } catch (err) {
      if (err instanceof GraphQLError) continue; // reported by GraphQL's own validation
      throw err;
    }
    if (nested) {
      for (const action of nested) add(actionProblems(action, args, model, path, undefined, true));
      continue;
    }
    const lookup = LOOKUP_IDS[name];
    if (lookup) {
      for (const [arg, kind] of Object.entries(lookup)) add(idProblems(`${path}.${arg}`, args[arg], kind));
      continue;
    }
    const op = byField.get(name);
    if (!op) continue;
    add(actionProblems(op.action, args, model, path, CUSTOM_PARAMS[op.field]));
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
            extensions: { code: ErrorCode.BAD_USER_INPUT, fields: problems, http: { status: ERROR_HTTP_STATUS.BAD_USER_INPUT, headers: new HeaderMap() } },
          });
        },
      };
    },
  };
}
