/**
 * The executable schema from the build-time document: its types built straight from the compact
 * definitions with `assumeValid` (./compact-schema.ts; the generator built and validated the
 * same document), then resolvers set on the fields in place, in one walk, with an optional
 * wrapper (the scope guards) applied while setting them. No `makeExecutableSchema` (merging,
 * validation, a schema copy) and no second `mapSchema` pass at start-up.
 */
import {
  GraphQLScalarType,
  isAbstractType,
  isEnumType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { SCHEMA_DOCUMENT } from './generated/schema-document';
import { buildSchemaFromCompact } from './compact-schema';

/** Resolver map in the graphql-tools shape: `Type.field` functions, `__resolveType`, scalars. */
export type ResolverMap = Record<string, unknown>;

/**
 * Sees every object field once while resolvers are attached: returns the resolver to install
 * (`resolve` is the field's own, undefined when it has none), or undefined to leave the field.
 */
export type FieldWrapper = (typeName: string, field: GraphQLField<unknown, unknown>, resolve: GraphQLFieldResolver<unknown, unknown> | undefined) => GraphQLFieldResolver<unknown, unknown> | undefined;

/** A fresh schema (own type instances) from the build-time document; no resolvers. */
export function loadSchema(): GraphQLSchema {
  return buildSchemaFromCompact(SCHEMA_DOCUMENT);
}

/**
 * Sets `resolvers` on `schema`'s types in place (as graphql-tools' `addResolversToSchema` with
 * `updateResolversInPlace`), then passes every object field through `wrap`. A resolver for a
 * type or field the schema lacks is an error, as with `makeExecutableSchema`.
 */
export function attachResolvers(schema: GraphQLSchema, resolvers: ResolverMap, wrap?: FieldWrapper): GraphQLSchema {
  for (const [typeName, value] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`resolvers name type ${typeName}, which is not in the schema`);
    if (isScalarType(type)) {
      // A GraphQLScalarType or just its conversion functions: the generated scalar takes the
      // implementation's coercion; its name and (SDL) description stay.
      const impl = value as Partial<Pick<GraphQLScalarType, 'serialize' | 'parseValue' | 'parseLiteral'>>;
      if (typeof impl?.serialize !== 'function' || typeof impl.parseValue !== 'function' || typeof impl.parseLiteral !== 'function') {
        throw new Error(`scalar ${typeName} needs serialize, parseValue and parseLiteral`);
      }
      type.serialize = impl.serialize;
      type.parseValue = impl.parseValue;
      type.parseLiteral = impl.parseLiteral;
      continue;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (isAbstractType(type)) {
      for (const [key, fn] of entries) {
        if (key !== '__resolveType') throw new Error(`${typeName}.${key}: only __resolveType can be set on ${typeName}`);
        type.resolveType = fn as typeof type.resolveType;
      }
      continue;
    }
    if (isEnumType(type) || !isObjectType(type)) throw new Error(`resolvers for ${typeName} (${type.constructor.name}) are not supported`);
    const fields = type.getFields();
    for (const [fieldName, fn] of entries) {
      if (fieldName === '__isTypeOf') {
        type.isTypeOf = fn as typeof type.isTypeOf;
        continue;
      }
      const field = fields[fieldName];
      if (!field) throw new Error(`resolvers name ${typeName}.${fieldName}, which is not in the schema`);
      field.resolve = (typeof fn === 'function' ? fn : (fn as { resolve: GraphQLFieldResolver<unknown, unknown> }).resolve) as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  if (wrap) {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const wrapped = wrap(type.name, field, field.resolve);
        if (wrapped) field.resolve = wrapped;
      }
    }
  }
  return schema;
}
