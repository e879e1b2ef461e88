/**
 * The compact form of the schema's SDL document, written at build time
 * (`npm run runtime:generate` → src/graphql/generated/schema-document.ts) and built into the
 * schema at start-up by src/graphql/compact-schema.ts.
 *
 * Why: parsing 190 KiB of SDL with graphql's lexer on a cold process costs 130–240 ms, while
 * `JSON.parse` of the same definitions, descriptions included, takes about 15 ms. The plain
 * JSON of graphql's AST is almost three times the SDL's size (every node spells out its `kind`
 * and wraps names); this form keeps one array per definition, so it stays the size of the SDL.
 *
 * The document is the schema as built and validated at build time, extensions merged, so the
 * runtime may build it with `assumeValid` (see `buildSchemaFromCompact`).
 *
 * Forms (`d` = description or 0, type references as SDL text such as `[ID!]!`):
 *   ['S', name, d]                                      scalar
 *   ['E', name, d, [[value, d, deprecation?]...]]        enum
 *   ['O', name, d, fields, interfaces?]                  object type
 *   ['I', name, d, inputFields]                          input object
 *   ['U', name, d, [member...]]                          union
 *   ['F', name, d, fields, interfaces?]                  interface
 * field: [name, d, type, args?, deprecation?]; input value: [name, d, type, default?, deprecation?]
 * (`default` is the GraphQL literal text, `deprecation` the reason; 0 where absent).
 */
import {
  Kind,
  print,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type StringValueNode,
} from 'graphql';

type Text = string | 0;
export type CompactInput = [name: string, description: Text, type: string, defaultValue?: Text, deprecation?: Text];
export type CompactField = [name: string, description: Text, type: string, args?: CompactInput[] | 0, deprecation?: Text];
type CompactEnumValue = [name: string, description: Text, deprecation?: Text];
export type CompactDefinition =
  | ['S', string, Text]
  | ['E', string, Text, CompactEnumValue[]]
  | ['O' | 'F', string, Text, CompactField[], string[]?]
  | ['I', string, Text, CompactInput[]]
  | ['U', string, Text, string[]];

// ---------------------------------------------------------------------------------------------
// Build time: DocumentNode → compact definitions.

const text = (node: StringValueNode | undefined): Text => node?.value ?? 0;

/** The reason of a `@deprecated` directive; any other directive cannot be represented. */
function deprecation(where: string, directives: readonly ConstDirectiveNode[] | undefined): Text {
  let reason: Text = 0;
  for (const d of directives ?? []) {
    if (d.name.value !== 'deprecated') throw new Error(`${where}: directive @${d.name.value} has no compact form`);
    const arg = d.arguments?.find((a) => a.name.value === 'reason');
    // graphql's default reason, spelled out so the runtime document needs no default.
    reason = arg && arg.value.kind === Kind.STRING ? arg.value.value : 'No longer supported';
  }
  return reason;
}

/** Drops trailing absent entries so the JSON stays short. */
function trimmed<T extends unknown[]>(list: T): T {
  while (list.length > 0 && list[list.length - 1] === 0) list.pop();
  return list;
}

function encodeInput(owner: string, v: InputValueDefinitionNode): CompactInput {
  const where = `${owner}.${v.name.value}`;
  return trimmed<CompactInput>([v.name.value, text(v.description), print(v.type), v.defaultValue ? print(v.defaultValue) : 0, deprecation(where, v.directives)]);
}

function encodeField(owner: string, f: FieldDefinitionNode): CompactField {
  const args = f.arguments?.length ? f.arguments.map((a) => encodeInput(`${owner}.${f.name.value}`, a)) : 0;
  return trimmed<CompactField>([f.name.value, text(f.description), print(f.type), args, deprecation(`${owner}.${f.name.value}`, f.directives)]);
}

export function encodeSchemaDocument(doc: DocumentNode): CompactDefinition[] {
  return doc.definitions.map((def): CompactDefinition => {
    switch (def.kind) {
      case Kind.SCALAR_TYPE_DEFINITION:
        if (def.directives?.length) throw new Error(`scalar ${def.name.value}: directives have no compact form`);
        return ['S', def.name.value, text(def.description)];
      case Kind.ENUM_TYPE_DEFINITION:
        return ['E', def.name.value, text(def.description), (def.values ?? []).map((v) => trimmed<CompactEnumValue>([v.name.value, text(v.description), deprecation(`${def.name.value}.${v.name.value}`, v.directives)]))];
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION: {
        const fields = (def.fields ?? []).map((f) => encodeField(def.name.value, f));
        const interfaces = (def.interfaces ?? []).map((i) => i.name.value);
        const tag = def.kind === Kind.OBJECT_TYPE_DEFINITION ? 'O' : 'F';
        return interfaces.length ? [tag, def.name.value, text(def.description), fields, interfaces] : [tag, def.name.value, text(def.description), fields];
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        return ['I', def.name.value, text(def.description), (def.fields ?? []).map((f) => encodeInput(def.name.value, f))];
      case Kind.UNION_TYPE_DEFINITION:
        return ['U', def.name.value, text(def.description), (def.types ?? []).map((t) => t.name.value)];
      default:
        // Schema definitions, directive definitions and extensions: the generator merges
        // extensions first (it prints the built schema); anything else is new and needs a form.
        throw new Error(`no compact form for a ${def.kind} definition`);
    }
  });
}
