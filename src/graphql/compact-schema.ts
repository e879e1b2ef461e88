/**
 * The schema straight from the build-time compact document (./schema-document.ts): graphql-js
 * type instances built from the compact definitions, as `buildASTSchema` would build them from
 * the decoded document, without the document in between.
 *
 * Why: decoding to a `DocumentNode` first allocates a node per name, type reference and
 * description (about 1.3 MB on the first request), and every built type keeps its node as
 * `astNode` for the life of the process. Nothing the gateway runs reads `astNode`: the document
 * was validated at build time (so no `validateSchema` locations), it carries no directives but
 * `@deprecated` (already `deprecationReason`), and introspection and `printSchema` read the
 * types' own fields. The built schema is the same as `buildASTSchema` of the SDL with
 * `assumeValid` in every other respect: type order, descriptions, default values, deprecations
 * (test/unit/graphql/runtime-schema.test.ts compares introspection and printed SDL, and
 * round-trips every definition through the compact form).
 */
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLUnionType,
  introspectionTypes,
  parseConstValue,
  specifiedDirectives,
  specifiedScalarTypes,
  valueFromAST,
  type GraphQLArgumentConfig,
  type GraphQLEnumValueConfigMap,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLType,
} from 'graphql';
import type { CompactDefinition, CompactField, CompactInput } from './schema-document';

/** Standard scalars and introspection types: shared instances, never redefined (as in graphql-js). */
const STANDARD_TYPES: ReadonlyMap<string, GraphQLNamedType> = new Map([...specifiedScalarTypes, ...introspectionTypes].map((t) => [t.name, t]));

/** Absent (`0`) and empty texts read as no description / no reason, as the decoded document has them. */
const textOf = (t: string | 0 | undefined): string | undefined => (t ? t : undefined);

export function buildSchemaFromCompact(defs: readonly CompactDefinition[]): GraphQLSchema {
  const types = new Map<string, GraphQLNamedType>();

  const named = (name: string): GraphQLNamedType => {
    const type = STANDARD_TYPES.get(name) ?? types.get(name);
    if (!type) throw new Error(`Unknown type: "${name}".`);
    return type;
  };
  /** `[ID!]!` → the wrapped type; the text comes from `print`, so it is well-formed. */
  const typeOf = (ref: string): GraphQLType => {
    if (ref.endsWith('!')) return new GraphQLNonNull(typeOf(ref.slice(0, -1)) as never);
    if (ref.startsWith('[')) return new GraphQLList(typeOf(ref.slice(1, -1)));
    return named(ref);
  };
  const inputValue = ([, d, ref, dflt, dep]: CompactInput) => {
    const type = typeOf(ref) as GraphQLInputType;
    return {
      type,
      description: textOf(d),
      defaultValue: dflt ? valueFromAST(parseConstValue(dflt, { noLocation: true }), type) : undefined,
      deprecationReason: textOf(dep),
    };
  };
  const args = (list: CompactInput[] | 0 | undefined) => {
    const map: Record<string, GraphQLArgumentConfig> = Object.create(null);
    for (const a of list || []) map[a[0]] = inputValue(a);
    return map;
  };
  const fields = (list: CompactField[]) => () => {
    const map: GraphQLFieldConfigMap<unknown, unknown> = Object.create(null);
    for (const [n, d, ref, a, dep] of list) map[n] = { type: typeOf(ref) as never, description: textOf(d), args: args(a), deprecationReason: textOf(dep) };
    return map;
  };
  const interfaces = (names: string[] | undefined) => () => (names ?? []).map((n) => named(n) as GraphQLInterfaceType);

  for (const def of defs) {
    const name = def[1];
    const description = textOf(def[2]);
    let type: GraphQLNamedType;
    switch (def[0]) {
      case 'S':
        type = STANDARD_TYPES.get(name) ?? new GraphQLScalarType({ name, description });
        break;
      case 'E': {
        const list = def[3];
        // A thunk, as the fields are: graphql-js defines (and name-checks) the values when first
        // read (serializing, parsing or introspecting the enum), which a start-up never does.
        const values = (): GraphQLEnumValueConfigMap => {
          const map: GraphQLEnumValueConfigMap = Object.create(null);
          for (const [v, vd, dep] of list) map[v] = { description: textOf(vd), deprecationReason: textOf(dep) };
          return map;
        };
        type = new GraphQLEnumType({ name, description, values });
        break;
      }
      case 'O':
        type = new GraphQLObjectType({ name, description, interfaces: interfaces(def[4]), fields: fields(def[3]) });
        break;
      case 'F':
        type = new GraphQLInterfaceType({ name, description, interfaces: interfaces(def[4]), fields: fields(def[3]) });
        break;
      case 'I': {
        const list = def[3];
        type = new GraphQLInputObjectType({
          name,
          description,
          fields: () => {
            const map: GraphQLInputFieldConfigMap = Object.create(null);
            for (const f of list) map[f[0]] = inputValue(f);
            return map;
          },
        });
        break;
      }
      case 'U': {
        const members = def[3];
        type = new GraphQLUnionType({ name, description, types: () => members.map((m) => named(m) as GraphQLObjectType) });
        break;
      }
      default:
        throw new Error(`unknown compact definition ${String(def[0])}`);
    }
    types.set(name, type);
  }

  const root = (name: string) => types.get(name) as GraphQLObjectType | undefined;
  return new GraphQLSchema({
    query: root('Query'),
    mutation: root('Mutation'),
    subscription: root('Subscription'),
    types: [...types.values()],
    // A copy, as buildASTSchema gives: graphql-js's own list is frozen.
    directives: [...specifiedDirectives],
    assumeValid: true,
  });
}
