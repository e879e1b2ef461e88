/**
 * Small AST helpers shared by the limit rules, the cost estimator and the scope guard.
 */
import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export type Variables = Readonly<Record<string, unknown>>;

export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const out = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) out.set(d.name.value, d);
  return out;
}

/** The operation Apollo/graphql-js would execute (by name, or the only one). */
export function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return ops.find((o) => o.name?.value === operationName);
  return ops.length === 1 ? ops[0] : undefined;
}

/** Supplied variables completed with the operation's declared defaults. */
export function variablesWithDefaults(operation: OperationDefinitionNode, variables: Variables | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(variables ?? {}) };
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (out[name] === undefined && def.defaultValue) out[name] = valueFromASTUntyped(def.defaultValue);
  }
  return out;
}

/**
 * True when `@skip(if: true)` or `@include(if: false)` removes the selection. With unknown
 * variables (`variables` undefined) a variable condition is treated as "not skipped".
 */
export function isSkipped(node: FieldNode | FragmentSpreadNode | InlineFragmentNode, variables: Variables | undefined): boolean {
  for (const d of node.directives ?? []) {
    const name = d.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const arg = d.arguments?.find((a) => a.name.value === 'if');
    if (!arg) continue;
    let value: unknown;
    if (arg.value.kind === Kind.VARIABLE) {
      if (variables === undefined) continue;
      value = variables[arg.value.name.value];
    } else value = valueFromASTUntyped(arg.value);
    if (name === 'skip' && value === true) return true;
    if (name === 'include' && value === false) return true;
  }
  return false;
}

/** Literal/variable argument values of a field (GraphQL names); unknown variables are absent. */
export function argumentValues(node: FieldNode, variables: Variables | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of node.arguments ?? []) out[a.name.value] = valueFromASTUntyped(a.value, variables ?? undefined);
  return out;
}

/**
 * Fragments reachable from a selection set (transitively), each once. With `variables`, selections
 * removed by `@skip`/`@include` are not followed.
 */
export function reachableFragments(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables?: Variables,
): FragmentDefinitionNode[] {
  const seen = new Set<string>();
  const out: FragmentDefinitionNode[] = [];
  const walk = (ss: SelectionSetNode) => {
    for (const s of ss.selections) {
      if (variables !== undefined && isSkipped(s, variables)) continue;
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const name = s.name.value;
        if (seen.has(name)) continue;
        seen.add(name);
        const f = fragments.get(name);
        if (f) {
          out.push(f);
          walk(f.selectionSet);
        }
      } else if (s.selectionSet) walk(s.selectionSet);
    }
  };
  walk(selectionSet);
  return out;
}
