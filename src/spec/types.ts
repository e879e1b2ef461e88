/**
 * Types of the machine-readable API description in `spec/ssl-2019-12-05.json`.
 *
 * Everything in this file is public API for the rest of the gateway: the upstream client,
 * the simulator, GraphQL, REST and OpenAPI all derive their behaviour from an `ApiSpec`
 * instead of restating tables from the documentation.
 */

/** Scalar types as the documentation names them ("参数类型" page). */
export type ScalarType = 'String' | 'Integer' | 'Boolean' | 'Float' | 'Double' | 'Date' | 'Timestamp' | 'Binary';

export interface EnumValue {
  /** The literal value as sent on the wire ("0", "DNS_AUTO", ...). */
  value: string;
  /** The documented meaning, verbatim from the seed (Chinese). */
  meaning: string;
}

export interface MemberSpec {
  /** PascalCase member name as documented; `.N` suffixes of array inputs are removed. */
  name: string;
  /** A scalar type or the name of a structure in `ApiSpec.structures`. */
  type: string;
  /** `Array of X`. */
  array: boolean;
  /** Input members and input-side structures: documented 必选 = 是. Outputs: always false. */
  required: boolean;
  /** Output members: documented as "may return null" (注意：此字段可能返回 null), or null documented as a value. */
  nullable: boolean;
  /** Documented as being phased out (将废弃 / 不建议使用 / changelog 废弃入参/出参). */
  deprecated: boolean;
  /** Documentation text verbatim (Chinese), page noise removed. */
  description: string;
  /** The documented 示例值, verbatim, when present. */
  example?: string;
  /** Documented upper bound: the cap of an array input or the largest page size of a Limit. */
  max?: number;
  /** Where `max` comes from when not from the seed (see OVERRIDES in spec/extract.ts). */
  maxSource?: string;
  /** Documented default of a numeric input. */
  default?: number;
  /** Enumerated values with meanings, when the description lists them. */
  enum?: EnumValue[];
}

export interface ErrorCodeSpec {
  code: string;
  description: string;
}

export type RegionUse = 'none' | 'optional' | 'required';

export interface ActionSpec {
  name: string;
  /** Short title of the action's page (Chinese, verbatim). */
  title: string;
  /** The page's description paragraph (Chinese, verbatim). */
  description: string;
  /** Documented default rate limit, calls per second per account. */
  rateLimit: number;
  /** Set when the documents disagree about the limit (the lower one is used). */
  rateLimitNote?: string;
  /** Whether the common parameter Region is needed, optional or not used. */
  region: RegionUse;
  /**
   * `read` actions have no side effect and may be retried; `write` actions change state and are
   * never replayed once a request may have reached the server. Derived from the action's verb.
   */
  kind: 'read' | 'write';
  /** Documented as no longer maintained / superseded. */
  deprecated?: { reason: string; replacement?: string };
  inputs: MemberSpec[];
  /** Outputs without the common `RequestId`. */
  outputs: MemberSpec[];
  /** Business error codes documented for this action (common codes are in `ApiSpec.commonErrors`). */
  errors: ErrorCodeSpec[];
  /** Parsed request/response examples (the `Response` envelope removed), when parseable. */
  examples: { title: string; input?: unknown; output?: unknown }[];
}

export interface StructureSpec {
  name: string;
  /** One-line description (Chinese, verbatim). */
  description: string;
  /** Actions whose inputs or outputs reference this structure (被如下接口引用). */
  usedBy: string[];
  /**
   * True when the documentation's table has a 必选 (required) column. This is how the document
   * lays out input-side structures, but it is not reliable (a few output-only structures have the
   * column, `Filter` and `Tags` lack it): derive input use from the actions' inputs instead.
   */
  input: boolean;
  members: MemberSpec[];
}

export interface ApiSpec {
  service: 'ssl';
  version: '2019-12-05';
  host: 'ssl.tencentcloudapi.com';
  /** sha256 of the seed file the description was extracted from. */
  sourceSha256: string;
  /** Codes any action may return (公共错误码). */
  commonErrors: ErrorCodeSpec[];
  /** The product's full list of business codes (业务错误码); each action lists its own subset. */
  businessErrors: ErrorCodeSpec[];
  actions: Record<string, ActionSpec>;
  structures: Record<string, StructureSpec>;
}
