/**
 * Conversions between GraphQL values and the upstream's JSON, driven by the model:
 * - arguments → upstream parameters (`toUpstreamParams`): lowerCamel → documented names, enum
 *   names → raw codes, `Int` → string where the upstream types Limit/Offset as String, ids →
 *   the type the upstream wants at that place, date-times → "YYYY-MM-DD HH:mm:ss" (UTC+8; the
 *   conversions both ways are src/time/upstream-time.ts, shared with REST);
 * - upstream members → GraphQL fields (`resolveField`, the default field resolver).
 */
import { GraphQLError, GraphQLScalarType, Kind, type GraphQLFieldResolver } from 'graphql';
import { ErrorCode } from '../errors';
import { parseCanonicalInteger } from '../spec/integers';
import { isEmptyUpstreamTime, isoToUpstream as toUpstreamTime, upstreamToIso } from '../time/upstream-time';
import type { FieldModel, GraphQLModel } from './model';

/** Any ISO 8601 date-time (or the upstream's own form) → "YYYY-MM-DD HH:mm:ss" in UTC+8; BAD_USER_INPUT otherwise. */
export function isoToUpstream(value: string): string {
  const upstream = toUpstreamTime(value);
  // The value is not quoted back: an error message must not echo what the client sent.
  if (upstream === undefined) throw new GraphQLError('DateTime cannot represent the given text: expected ISO 8601, e.g. 2025-12-02T07:59:59+08:00', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  return upstream;
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize(value) {
    if (typeof value !== 'string') throw new GraphQLError(`DateTime cannot represent ${typeof value}`);
    // Empty upstream times are turned into null by the field resolver before they get here.
    return upstreamToIso(value) ?? value;
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new GraphQLError('DateTime must be a string');
    return isoToUpstream(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return isoToUpstream(ast.value);
  },
});

/**
 * An argument value that cannot become the upstream type. `argument` is the argument's path as
 * the client wrote it (`projectId`, `certificateIds[2]`, `tags[0].tagKey`), so the refusal
 * (BAD_REQUEST, before any upstream call) names it.
 */
export class ArgumentConversionError extends GraphQLError {
  readonly argument: string;
  constructor(argument: string, problem: string) {
    super(`argument "${argument}": ${problem}`, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    this.name = 'ArgumentConversionError';
    this.argument = argument;
  }
}

/** Converts one argument value to the upstream form described by its field model. */
function convertValue(f: FieldModel, value: unknown, model: GraphQLModel, path: string): unknown {
  if (value === null || value === undefined) return value;
  if (f.spec.array && Array.isArray(value)) return value.map((v, i) => convertScalar(f, v, model, `${path}[${i}]`));
  return convertScalar(f, value, model, path);
}

function convertScalar(f: FieldModel, value: unknown, model: GraphQLModel, path: string): unknown {
  const m = f.spec;
  const input = model.inputs.get(`${m.type}Input`);
  if (input) {
    if (typeof value !== 'object' || value === null) return value;
    return toUpstreamParams(input.fields, value as Record<string, unknown>, model, `${path}.`);
  }
  switch (f.conversion) {
    case 'enum': {
      // Enum types are shared between members; a value of the type that this member does not
      // document is refused here rather than sent upstream as a name.
      const raw = f.fromEnum?.get(String(value));
      if (raw === undefined) {
        throw new GraphQLError(`${String(value)} is not accepted by argument "${f.name}"; accepted: ${[...(f.fromEnum?.keys() ?? [])].join(', ')}`, {
          extensions: { code: ErrorCode.BAD_USER_INPUT },
        });
      }
      return typed(m.type, raw, path, false);
    }
    case 'id':
      return typed(m.type, value, path, true);
    case 'int':
      return typed(m.type, value, path, false);
    default:
      return value;
  }
}

/**
 * `raw` in the member's JSON type. An `ID` (a string) becomes an Integer member only when it is
 * canonical decimal text of a non-negative safe integer: "" , "0x3E8", " 1e0 ", "01" are refused
 * rather than read as 0, 1000, 1, 1 by `Number()`.
 */
function typed(type: string, raw: unknown, path: string, isId: boolean): unknown {
  if (type === 'Integer') {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseCanonicalInteger(raw) : undefined;
    if (n === undefined || !Number.isSafeInteger(n) || (isId && n < 0)) {
      throw new ArgumentConversionError(path, isId ? 'expected a non-negative decimal integer id (digits only, no sign, spaces or leading zeros)' : 'expected an integer');
    }
    return n;
  }
  if (type === 'Boolean') return raw === true || raw === 'true';
  if (type === 'Float' || type === 'Double') return Number(raw);
  return String(raw);
}

/**
 * GraphQL arguments (by field model) → upstream parameters; absent arguments are left out.
 * `prefix` is the path of the enclosing input object (for error messages).
 */
export function toUpstreamParams(fields: readonly FieldModel[], args: Record<string, unknown>, model: GraphQLModel, prefix = ''): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const f of fields) {
    const v = args[f.name];
    if (v === undefined || v === null) continue;
    params[f.member] = convertValue(f, v, model, `${prefix}${f.name}`);
  }
  return params;
}

/**
 * The default field resolver: reads the documented member behind a GraphQL field and maps enum
 * codes to enum names. Fields that the model does not know (hand-written SDL) read the property
 * of the same name.
 */
export function createFieldResolver(model: GraphQLModel): GraphQLFieldResolver<unknown, unknown> {
  return (source, _args, _ctx, info) => {
    if (source === null || typeof source !== 'object') return undefined;
    const record = source as Record<string, unknown>;
    const f = model.fieldIndex.get(info.parentType.name)?.get(info.fieldName);
    if (!f) {
      const v = record[info.fieldName];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).call(source, _args, _ctx, info) : v;
    }
    const raw = record[f.member];
    if (raw === null || raw === undefined) return raw;
    if (f.conversion === 'datetime') {
      // "", "0000-00-00 00:00:00" and "--" mean "no time yet": null (a scalar may not serialize to null).
      return Array.isArray(raw) ? raw.map((v) => (isEmptyUpstreamTime(v) ? null : v)) : isEmptyUpstreamTime(raw) ? null : raw;
    }
    if (f.conversion !== 'enum') return raw;
    const toName = (v: unknown) => f.toEnum!.get(String(v)) ?? null;
    return Array.isArray(raw) ? raw.map(toName) : toName(raw);
  };
}
