/**
 * Checks an upstream answer the way the two client-facing contracts see it:
 * - `graphqlViolations`: as GraphQL would complete it (the default field resolver reads each
 *   documented member; non-null fields, list items, scalar serialization and nested objects are
 *   checked exactly as graphql-js completes values);
 * - `openApiValidator`: with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) against the
 *   `<Action>Response` schema of the served OpenAPI document.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { createFieldResolver } from '../../src/graphql/convert';
import { model as defaultModel, type GraphQLModel } from '../../src/graphql/model';
import { buildSchema } from '../../src/graphql/server';
import { REST_ROUTES, buildOpenApiDocument } from '../../src/rest';

export interface Violation {
  path: string;
  problem: string;
}

export function graphqlChecker(schema: GraphQLSchema = buildSchema(), model: GraphQLModel = defaultModel()) {
  const resolve = createFieldResolver(model) as GraphQLFieldResolver<unknown, unknown>;

  const complete = (type: GraphQLOutputType, value: unknown, path: string, out: Violation[]): void => {
    if (isNonNullType(type)) {
      if (value === null || value === undefined) out.push({ path, problem: `null for ${String(type)}` });
      else complete(type.ofType, value, path, out);
      return;
    }
    if (value === null || value === undefined) return;
    if (isListType(type)) {
      if (!Array.isArray(value)) out.push({ path, problem: `not a list for ${String(type)}` });
      else value.forEach((v, i) => complete(type.ofType, v, `${path}[${i}]`, out));
      return;
    }
    if (isLeafType(type)) {
      try {
        type.serialize(value);
      } catch (e) {
        out.push({ path, problem: `${type.name}: ${(e as Error).message}` });
      }
      return;
    }
    if (isObjectType(type)) {
      if (typeof value !== 'object') out.push({ path, problem: `not an object for ${type.name}` });
      else walk(type, value as Record<string, unknown>, path, out);
    }
  };

  /** Only the fields the model derives from documented members (hand-written fields have resolvers). */
  const walk = (type: GraphQLObjectType, value: Record<string, unknown>, path: string, out: Violation[]): void => {
    const known = model.fieldIndex.get(type.name);
    if (!known) return;
    const fields = type.getFields();
    for (const name of known.keys()) {
      const field = fields[name];
      const raw = resolve(value, {}, {}, { parentType: type, fieldName: name } as GraphQLResolveInfo);
      complete(field.type, raw, `${path}.${name}`, out);
    }
  };

  return (typeName: string, value: Record<string, unknown>): Violation[] => {
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) throw new Error(`no object type ${typeName}`);
    const out: Violation[] = [];
    walk(type, value, typeName, out);
    return out;
  };
}

/** ajv over the OpenAPI document's component schemas; `validate(name, value)` lists the problems. */
export function openApiValidator(doc: Record<string, any> = buildOpenApiDocument(REST_ROUTES)) {
  // strict: every keyword must be known; OpenAPI's own annotation keywords are declared as such.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addVocabulary(['example', 'components']);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
  const compiled = new Map<string, ValidateFunction>();
  return (schemaName: string, value: unknown): string[] => {
    let v = compiled.get(schemaName);
    if (!v) {
      v = ajv.compile({ $ref: `openapi#/components/schemas/${schemaName}` });
      compiled.set(schemaName, v);
    }
    if (v(value)) return [];
    return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`);
  };
}
