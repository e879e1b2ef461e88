/**
 * Extracts the machine-readable API description (`spec/ssl-2019-12-05.json`) from the seed
 * documentation (`../shared/seeds/003_6ca79b59cc431531.txt`, a text dump of the Chinese PDF).
 *
 * Usage: `npm run spec:extract [-- --seed PATH] [-- --check]`
 *   --check  exit 1 when the committed JSON differs from a fresh extraction (`npm run spec:check`,
 *            which `.ci/run` runs; not part of `npm test`, since a clone alone has no seed).
 *   SPEC_SEED=PATH  the seed when it is not at ../shared/seeds (e.g. a git worktree elsewhere).
 *
 * The dump interleaves page furniture (page titles, "最近更新时间" stamps, links, repeated table
 * headers) with the content, so extraction runs in three passes:
 *   1. clean: drop page furniture, remembering each page title;
 *   2. segment: split into action pages ("1. 接口描述"), the data structure section ("数据结构")
 *      and the common error code page ("公共错误码");
 *   3. parse: member tables, error tables, examples, rate limits and notes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ActionSpec,
  ApiSpec,
  EnumValue,
  ErrorCodeSpec,
  MemberSpec,
  RegionUse,
  StructureSpec,
} from '../src/spec/types';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SEED = resolve(process.env.SPEC_SEED ?? resolve(here, '../../shared/seeds/003_6ca79b59cc431531.txt'));
export const SPEC_PATH = resolve(here, 'ssl-2019-12-05.json');

const SCALARS = new Set(['String', 'Integer', 'Boolean', 'Float', 'Double', 'Date', 'Timestamp', 'Binary']);

/** Table headers that the PDF repeats at the top of every page a table spans. */
const TABLE_HEADERS = new Set([
  '参数名称 必选 类型 描述',
  '参数名称 类型 描述',
  '名称 类型 描述',
  '名称 类型 必选 描述',
  '错误码 描述',
  '错误码 说明',
]);

interface Line {
  text: string;
  /** Page title that was removed just before this line, if any. */
  titleBefore?: string;
}

// ---------------------------------------------------------------------------------------------
// Pass 1: remove page furniture.
// ---------------------------------------------------------------------------------------------

function clean(raw: string): Line[] {
  const input = raw.split(/\r?\n/);
  const out: Line[] = [];
  let pendingTitle: string | undefined;
  for (let i = 0; i < input.length; i++) {
    const text = input[i].trim();
    if (text === '') continue;
    if (/^https?:\/\//.test(text)) continue;
    // Page footer: "SSL 证书" then "版权所有：… 第N 共367页".
    if (text.startsWith('版权所有：')) {
      if (out.length > 0 && out[out.length - 1].text === 'SSL 证书') out.pop();
      continue;
    }
    if (text.startsWith('推荐使用 API Explorer')) continue;
    if (text.startsWith('最近更新时间：')) {
      // The previous kept line is the page title; a category heading ("证书相关接口") or a repeated
      // title may precede it.
      const title = out.pop()?.text;
      while (out.length > 0) {
        const prev = out[out.length - 1].text;
        if (/相关接口$/.test(prev) || prev === '其他接口' || prev === title) out.pop();
        else break;
      }
      pendingTitle = title;
      continue;
    }
    out.push(pendingTitle ? { text, titleBefore: pendingTitle } : { text });
    pendingTitle = undefined;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pass 2 helpers.
// ---------------------------------------------------------------------------------------------

function findIndex(lines: Line[], pred: (t: string) => boolean, from = 0): number {
  for (let i = from; i < lines.length; i++) if (pred(lines[i].text)) return i;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Pass 3: member tables.
// ---------------------------------------------------------------------------------------------

interface RawMember {
  name: string;
  required?: boolean;
  typeText: string;
  body: string[];
}

const NAME = /^([A-Z][A-Za-z0-9_]*)(\.N)?$/;

/**
 * Parses the rows of a member table. A row starts with the member name, optionally 是/否, and the
 * type (the type may wrap: "Array of" / "Integer" on the next lines); the description follows.
 */
function parseMemberRows(rows: string[], typeNames: Set<string>, withRequired: 'before-type' | 'after-type' | 'none'): RawMember[] {
  const isType = (t: string) => SCALARS.has(t) || typeNames.has(t);
  const members: RawMember[] = [];
  let current: RawMember | undefined;

  const tryStart = (i: number): { member: RawMember; consumed: number } | undefined => {
    const tokens = rows[i].split(/\s+/);
    const nameMatch = NAME.exec(tokens[0]);
    if (!nameMatch) return undefined;
    let k = 1;
    let required: boolean | undefined;
    if (withRequired === 'before-type') {
      if (tokens[k] !== '是' && tokens[k] !== '否') return undefined;
      required = tokens[k] === '是';
      k++;
    }
    const restTokens = tokens.slice(k);
    let typeText = '';
    let consumed = 1;
    let descStart: string[] = [];
    const takeTypeFrom = (toks: string[]): { type: string; rest: string[] } | undefined => {
      if (toks[0] === 'Array' && toks[1] === 'of') {
        if (toks.length >= 3 && isType(toks[2])) return { type: `Array of ${toks[2]}`, rest: toks.slice(3) };
        if (toks.length === 2) return { type: 'Array of', rest: [] };
        return undefined;
      }
      if (toks.length >= 1 && isType(toks[0])) return { type: toks[0], rest: toks.slice(1) };
      return undefined;
    };
    if (restTokens.length === 0) {
      // Type on the following line(s).
      const next = rows[i + 1]?.split(/\s+/) ?? [];
      const t = takeTypeFrom(next);
      if (!t) return undefined;
      typeText = t.type;
      descStart = t.rest;
      consumed = 2;
    } else {
      const t = takeTypeFrom(restTokens);
      if (!t) return undefined;
      typeText = t.type;
      descStart = t.rest;
    }
    if (typeText === 'Array of') {
      const next = rows[i + consumed]?.split(/\s+/) ?? [];
      if (!isType(next[0])) return undefined;
      typeText = `Array of ${next[0]}`;
      descStart = next.slice(1);
      consumed++;
    }
    if (withRequired === 'after-type') {
      if (descStart[0] === '是' || descStart[0] === '否') {
        required = descStart[0] === '是';
        descStart = descStart.slice(1);
      } else if (descStart.length === 0 && (rows[i + consumed] === '是' || rows[i + consumed] === '否')) {
        required = rows[i + consumed] === '是';
        consumed++;
      }
    }
    const body = descStart.length > 0 ? [descStart.join(' ')] : [];
    return { member: { name: nameMatch[1], required, typeText, body }, consumed };
  };

  for (let i = 0; i < rows.length; ) {
    const started = tryStart(i);
    if (started) {
      current = started.member;
      members.push(current);
      i += started.consumed;
      continue;
    }
    current?.body.push(rows[i]);
    i++;
  }
  return members;
}

const NULL_NOTE = /注意：此字段可能返回\s*null/;

function finishMember(raw: RawMember, side: 'input' | 'output' | 'structure', inputStructure: boolean): MemberSpec {
  const array = raw.typeText.startsWith('Array of ');
  const type = array ? raw.typeText.slice('Array of '.length) : raw.typeText;
  const text = raw.body.join('\n');
  // Nullable: the "may return null" note, or a description that documents null as a value
  // ("null：用户上传证书", "本字段后续只返回null").
  const nullable = side !== 'input' && (NULL_NOTE.test(text) || /(^|[^A-Za-z])null([^A-Za-z]|$)/.test(text));
  let example: string | undefined;
  const exampleIdx = text.indexOf('示例值：');
  let description = exampleIdx >= 0 ? text.slice(0, exampleIdx) : text;
  if (exampleIdx >= 0) example = text.slice(exampleIdx + '示例值：'.length).replace(/\n/g, '').trim();
  description = description
    .replace(/注意：此字段可能返回\s*null[^\n]*/g, '')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join('');
  const member: MemberSpec = {
    name: raw.name,
    type,
    array,
    required: side === 'output' ? false : side === 'input' || inputStructure ? raw.required === true : false,
    nullable,
    deprecated: /将废弃|不建议使用|已废弃|废弃字段/.test(description),
    description,
  };
  if (example !== undefined && example !== '') member.example = example;
  // PDF lines wrap mid-sentence, so lines are glued back together, except where a line opens a
  // new enumerated value ("DNS：…", "0 = …"), which keeps a break for the enum matcher.
  const glued = text
    .slice(0, exampleIdx >= 0 ? exampleIdx : undefined)
    .split('\n')
    .map((s) => s.trim())
    .reduce((acc, line) => (acc === '' ? line : /^[A-Za-z0-9_\-]+\s*(?:=|：|:)/.test(line) ? `${acc}\n${line}` : acc + line), '');
  const values = extractEnum(glued);
  if (side === 'input' || inputStructure) {
    // Documented caps: "最大值1000", "最多100个", "总数不能超过100", "最大支持100个".
    const max = /(?:最大值为?|最多|最大支持|不能超过|最大为)\s*(\d+)/.exec(description);
    if (max) member.max = Number(max[1]);
    const dflt = /默认(?:值为|为|值)?\s*(\d+)/.exec(description);
    if (dflt && (raw.typeText === 'Integer' || /^(Limit|Offset)$/.test(raw.name))) member.default = Number(dflt[1]);
  }
  if (values) member.enum = values;
  return member;
}

/**
 * Recognises the documented enumerations inside a description: "0 = 审核中，1 = 已通过",
 * "DNS_AUTO： 自动添加…", "1:筛选 0:不筛选". Two or more distinct values are required.
 */
export function extractEnum(description: string): EnumValue[] | undefined {
  const re = /(?:^|[\s，,；;：:（(。、])([A-Za-z0-9_\-]+)\s*(?:=|：|:)\s*([^，,；;。\s:：=]+)/g;
  const values: EnumValue[] = [];
  const seen = new Set<string>();
  for (let m = re.exec(description); m; m = re.exec(description)) {
    const value = m[1];
    if (/^https?$/i.test(value) || seen.has(value)) continue;
    seen.add(value);
    values.push({ value, meaning: m[2].replace(/注意$/, '').trim() });
  }
  return values.length >= 2 ? values : undefined;
}

function parseErrorRows(rows: string[]): ErrorCodeSpec[] {
  const errors: ErrorCodeSpec[] = [];
  const CODE = /^([A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+)*)(?:\s+(.*))?$/;
  for (const row of rows) {
    const m = CODE.exec(row);
    // A code row is a dotted identifier or a single PascalCase word followed by Chinese text.
    if (m && (m[1].includes('.') || /^[A-Z][a-z]+(?:[A-Z][a-z]+)+$|^[A-Z][a-z]+$/.test(m[1])) && (!m[2] || /[^\x00-\x7f]/.test(m[2]) || m[2].length > 0)) {
      if (m[2] === undefined || /[\u4e00-\u9fff]/.test(m[2]) || m[1].includes('.')) {
        errors.push({ code: m[1], description: (m[2] ?? '').trim() });
        continue;
      }
    }
    if (errors.length > 0) {
      const last = errors[errors.length - 1];
      last.description = (last.description + row).trim();
    }
  }
  return errors;
}

/** Parses the JSON that opens a block of lines; trailing page debris (a stray heading) is ignored. */
function parseJsonBlock(lines: string[]): unknown {
  for (let k = lines.length; k > 0; k--) {
    const text = lines.slice(0, k).join('\n').trim();
    if (!text.startsWith('{') || !text.endsWith('}')) continue;
    try {
      return JSON.parse(text);
    } catch {
      // keep trimming
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Actions.
// ---------------------------------------------------------------------------------------------

const READ_PREFIXES = ['Describe', 'Check', 'Download'];

function parseAction(lines: Line[], typeNames: Set<string>, deprecatedInputs: Map<string, Set<string>>): ActionSpec {
  const texts = lines.map((l) => l.text);
  const title = lines.find((l) => l.titleBefore)?.titleBefore ?? '';
  const actionLine = texts.find((t) => t.startsWith('Action 是 String 公共参数，本接口取值：'));
  if (!actionLine) throw new Error(`action page without Action parameter near: ${texts.slice(0, 3).join(' / ')}`);
  const name = /本接口取值：([A-Za-z]+)/.exec(actionLine)![1];

  const inputsAt = texts.indexOf('2. 输入参数');
  const outputsAt = texts.indexOf('3. 输出参数');
  const examplesAt = texts.indexOf('4. 示例');
  const resourcesAt = findIndex(lines, (t) => t === '5. 开发者资源');
  const errorsAt = texts.indexOf('6. 错误码');
  if (inputsAt < 0 || outputsAt < 0 || examplesAt < 0) throw new Error(`${name}: missing sections`);

  const description = texts
    .slice(1, inputsAt)
    .filter((t) => !t.startsWith('接口请求域名') && !t.startsWith('默认接口请求频率限制') && !t.startsWith('API Explorer 提供了'))
    .join('');
  const rate = /默认接口请求频率限制：(\d+)次\/秒/.exec(texts.slice(0, inputsAt).join('\n'));
  if (!rate) throw new Error(`${name}: no rate limit`);

  const inputRows = texts
    .slice(inputsAt + 1, outputsAt)
    .filter((t) => !TABLE_HEADERS.has(t) && !t.startsWith('以下请求参数列表仅列出了'));
  const regionRow = inputRows.find((t) => t.startsWith('Region '));
  let region: RegionUse = 'none';
  if (regionRow) {
    if (regionRow.startsWith('Region 是')) region = 'required';
    else if (!regionRow.includes('本接口不需要传递此参数')) region = 'optional';
  }
  const rawInputs = parseMemberRows(inputRows, typeNames, 'before-type').filter(
    (m) => !['Action', 'Version', 'Region'].includes(m.name),
  );
  const inputs = rawInputs.map((m) => finishMember(m, 'input', false));
  const dep = deprecatedInputs.get(name);
  if (dep) for (const m of inputs) if (dep.has(m.name)) m.deprecated = true;

  const outputRows = texts.slice(outputsAt + 1, examplesAt).filter((t) => !TABLE_HEADERS.has(t));
  const outputs = parseMemberRows(outputRows, typeNames, 'none')
    .filter((m) => m.name !== 'RequestId')
    .map((m) => finishMember(m, 'output', false));

  const exampleEnd = resourcesAt > 0 ? resourcesAt : errorsAt > 0 ? errorsAt : texts.length;
  const examples = parseExamples(texts.slice(examplesAt + 1, exampleEnd));

  const errors = errorsAt > 0
    ? parseErrorRows(texts.slice(errorsAt + 1).filter((t) => !TABLE_HEADERS.has(t) && !t.startsWith('以下仅列出了')))
    : [];

  const spec: ActionSpec = {
    name,
    title,
    description,
    rateLimit: Number(rate[1]),
    region,
    kind: READ_PREFIXES.some((p) => name.startsWith(p)) ? 'read' : 'write',
    inputs,
    outputs,
    errors,
    examples,
  };
  const replacement = /最新查询接口请使用\s*([A-Z][A-Za-z]+)/.exec(description);
  if (replacement) spec.deprecated = { reason: description, replacement: replacement[1] };
  else if (/不再维护/.test(description)) spec.deprecated = { reason: description };
  return spec;
}

function parseExamples(texts: string[]): ActionSpec['examples'] {
  const examples: ActionSpec['examples'] = [];
  let i = 0;
  while (i < texts.length) {
    const head = /^示例\s*\d+\s*(.*)$/.exec(texts[i]);
    if (!head) {
      i++;
      continue;
    }
    const start = i;
    let next = texts.findIndex((t, j) => j > start && /^示例\s*\d+/.test(t));
    if (next < 0) next = texts.length;
    const block = texts.slice(start + 1, next);
    const inAt = block.indexOf('输入示例');
    const outAt = block.indexOf('输出示例');
    let input: unknown;
    let output: unknown;
    if (inAt >= 0) {
      const end = outAt > inAt ? outAt : block.length;
      const body = block.slice(inAt + 1, end);
      const marker = body.indexOf('<公共请求参数>');
      input = parseJsonBlock(marker >= 0 ? body.slice(marker + 1) : body);
    }
    if (outAt >= 0) {
      const parsed = parseJsonBlock(block.slice(outAt + 1)) as { Response?: unknown } | undefined;
      output = parsed && typeof parsed === 'object' && 'Response' in parsed ? parsed.Response : parsed;
    }
    const example: ActionSpec['examples'][number] = { title: head[1].trim() };
    if (input !== undefined) example.input = input;
    if (output !== undefined) example.output = output;
    examples.push(example);
    i = next;
  }
  return examples;
}

// ---------------------------------------------------------------------------------------------
// Structures.
// ---------------------------------------------------------------------------------------------

interface StructureHead {
  name: string;
  description: string;
  usedBy: string[];
  headerAt: number;
}

function findStructureHeads(texts: string[]): StructureHead[] {
  const heads: StructureHead[] = [];
  for (let i = 0; i < texts.length; i++) {
    if (!texts[i].startsWith('被如下接口引用：')) continue;
    // Name line: the nearest bare identifier above; the description sits between.
    let j = i - 1;
    while (j >= 0 && !/^[A-Z][A-Za-z0-9]*$/.test(texts[j])) j--;
    if (j < 0 || i - j > 4) throw new Error(`structure heading not found above line: ${texts[i]}`);
    const usedBy = texts[i]
      .slice('被如下接口引用：'.length)
      .replace(/。$/, '')
      .split(/[,，]\s*/)
      .map((s) => s.trim())
      .filter(Boolean);
    heads.push({ name: texts[j], description: texts.slice(j + 1, i).join(''), usedBy, headerAt: i + 1 });
  }
  return heads;
}

// ---------------------------------------------------------------------------------------------
// Changelog: member-level deprecations ("废弃入参：…" under "修改接口：X").
// ---------------------------------------------------------------------------------------------

function deprecatedInputsFromChangelog(texts: string[]): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  let currentAction: string | undefined;
  for (const t of texts) {
    if (/^[A-Z][A-Za-z]+$/.test(t)) currentAction = t;
    const m = /^废弃入参：\s*(.+)$/.exec(t);
    if (m && currentAction) {
      const set = result.get(currentAction) ?? new Set<string>();
      for (const n of m[1].split(/[,，]\s*/)) set.add(n.trim());
      result.set(currentAction, set);
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Entry.
// ---------------------------------------------------------------------------------------------

/**
 * Upstream facts the seed does not state but `DESIGN.md` does (observed service behaviour).
 * Each one is applied on top of the extraction and marked with its source.
 */
const OVERRIDES: { action: string; member: string; max: number; source: string }[] = [
  { action: 'DescribeDeployedResources', member: 'CertificateIds', max: 50, source: 'DESIGN.md: DescribeDeployedResources(CertificateIds[] ≤ 50)' },
];

function applyOverrides(actions: Record<string, ActionSpec>): void {
  for (const o of OVERRIDES) {
    const member = actions[o.action]?.inputs.find((m) => m.name === o.member);
    if (!member) throw new Error(`override target missing: ${o.action}.${o.member}`);
    member.max = o.max;
    member.maxSource = o.source;
  }
}

/** An English single-action page: its action name and documented rate limit. */
export interface EnglishPage {
  action: string;
  rateLimit: number;
}

export function parseEnglishPage(text: string): EnglishPage | undefined {
  const action = /The value used for this API: ([A-Za-z]+)\./.exec(text)?.[1];
  const limit = /A maximum of (\d+) requests can be initiated per second/.exec(text)?.[1];
  return action && limit ? { action, rateLimit: Number(limit) } : undefined;
}

/**
 * Reconciles rate limits with the English pages. Where the two documents disagree the lower
 * limit wins (the safer reading: a lower budget can only cost latency, a higher one costs
 * RequestLimitExceeded from the real service), and the disagreement is recorded.
 */
function reconcile(actions: Record<string, ActionSpec>, pages: EnglishPage[]): void {
  for (const page of pages) {
    const action = actions[page.action];
    if (!action || action.rateLimit === page.rateLimit) continue;
    const chinese = action.rateLimit;
    action.rateLimit = Math.min(chinese, page.rateLimit);
    action.rateLimitNote = `Chinese documentation: ${chinese}/s; English page: ${page.rateLimit}/s; the lower value is used.`;
  }
}

export function extract(raw: string, englishPages: string[] = []): ApiSpec {
  const lines = clean(raw);
  const texts = lines.map((l) => l.text);

  const structuresAt = texts.indexOf('被如下接口引用：DeleteCertificates。') >= 0
    ? findStructuresStart(texts)
    : -1;
  const errorPageAt = findIndex(lines, (t) => t === '错误码列表');
  const legacyAt = findIndex(lines, (t) => t === 'SSL 证书 API 2017');
  if (structuresAt < 0 || errorPageAt < 0 || legacyAt < 0) throw new Error('seed layout not recognised');

  // Structures first: their names are the non-scalar types of the member tables.
  const structTexts = texts.slice(structuresAt, findIndex(lines, (t) => t === '功能说明', structuresAt));
  const heads = findStructureHeads(structTexts);
  const typeNames = new Set(heads.map((h) => h.name));
  const structures: Record<string, StructureSpec> = {};
  heads.forEach((head, idx) => {
    const end = idx + 1 < heads.length ? findNameLineAbove(structTexts, heads[idx + 1]) : structTexts.length;
    const header = structTexts[head.headerAt];
    const withRequired = header === '名称 类型 必选 描述';
    const rows = structTexts.slice(head.headerAt, end).filter((t) => !TABLE_HEADERS.has(t) && t !== '数据结构');
    const members = parseMemberRows(rows, typeNames, withRequired ? 'after-type' : 'none').map((m) =>
      finishMember(m, 'structure', withRequired),
    );
    structures[head.name] = {
      name: head.name,
      description: head.description,
      usedBy: head.usedBy,
      input: withRequired,
      members,
    };
  });

  // The API overview table ("ApplyCertificate 免费证书申请 10") names every action's title and
  // limit; the action pages' own titles are unreliable where a page break falls oddly.
  const overview = new Map<string, { title: string; rateLimit: number }>();
  const firstPageAt = findIndex(lines, (t) => t.startsWith('Action 是 String 公共参数，本接口取值：'));
  for (const t of texts.slice(0, firstPageAt)) {
    const m = /^([A-Z][A-Za-z]+) (\S.*\S) (\d+)$/.exec(t);
    if (m && !overview.has(m[1])) overview.set(m[1], { title: m[2], rateLimit: Number(m[3]) });
  }

  // Actions: each page opens with "1. 接口描述"; the first is after the common pages.
  const firstActionAt = findIndex(lines, (t) => t.startsWith('Action 是 String 公共参数，本接口取值：'));
  const deprecatedInputs = deprecatedInputsFromChangelog(texts.slice(0, firstActionAt));
  const starts: number[] = [];
  for (let i = 0; i < structuresAt; i++) if (texts[i] === '1. 接口描述' && i < structuresAt) starts.push(i);
  const actionStarts = starts.filter((s) => s < structuresAt && s > firstActionAt - 40);
  const actions: Record<string, ActionSpec> = {};
  actionStarts.forEach((s, idx) => {
    const end = idx + 1 < actionStarts.length ? actionStarts[idx + 1] : structuresAt;
    const action = parseAction(lines.slice(s, end), typeNames, deprecatedInputs);
    if (actions[action.name]) throw new Error(`duplicate action ${action.name}`);
    const listed = overview.get(action.name);
    if (!listed) throw new Error(`${action.name} is missing from the API overview`);
    action.title = listed.title;
    if (listed.rateLimit !== action.rateLimit) throw new Error(`${action.name}: overview and page disagree on the rate limit`);
    actions[action.name] = action;
  });

  applyOverrides(actions);
  reconcile(actions, englishPages.map(parseEnglishPage).filter((p): p is EnglishPage => p !== undefined));

  const commonAt = findIndex(lines, (t) => t === '公共错误码', errorPageAt);
  const businessAt = findIndex(lines, (t) => t === '业务错误码', errorPageAt);
  const commonErrors = parseErrorRows(texts.slice(commonAt + 1, businessAt).filter((t) => !TABLE_HEADERS.has(t)));
  const businessErrors = parseErrorRows(texts.slice(businessAt + 1, legacyAt).filter((t) => !TABLE_HEADERS.has(t)));

  return {
    service: 'ssl',
    version: '2019-12-05',
    host: 'ssl.tencentcloudapi.com',
    sourceSha256: createHash('sha256').update(raw).digest('hex'),
    commonErrors,
    businessErrors,
    actions: sortRecord(actions),
    structures: sortRecord(structures),
  };
}

/** The structure section starts at the heading of its first structure (the line after "数据结构"'s page). */
function findStructuresStart(texts: string[]): number {
  const firstRef = texts.findIndex((t) => t.startsWith('被如下接口引用：'));
  let j = firstRef - 1;
  while (j >= 0 && !/^[A-Z][A-Za-z0-9]*$/.test(texts[j])) j--;
  return j;
}

function findNameLineAbove(texts: string[], head: StructureHead): number {
  let j = head.headerAt - 2;
  while (j >= 0 && texts[j] !== head.name) j--;
  return j;
}

function sortRecord<T>(rec: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function render(spec: ApiSpec): string {
  return JSON.stringify(spec, null, 1) + '\n';
}

/** The other seed files beside the main one: English pages of single actions. */
export function readEnglishPages(dir: string, except: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt') && resolve(dir, f) !== resolve(except))
    .sort()
    .map((f) => readFileSync(resolve(dir, f), 'utf8'));
}

function main(argv: string[]): void {
  const seedArg = argv.indexOf('--seed');
  const seed = seedArg >= 0 ? argv[seedArg + 1] : DEFAULT_SEED;
  if (!existsSync(seed)) {
    console.error(`seed not found: ${seed} (pass --seed PATH or set SPEC_SEED)`);
    process.exit(2);
  }
  const text = render(extract(readFileSync(seed, 'utf8'), readEnglishPages(dirname(seed), seed)));
  if (argv.includes('--check')) {
    const committed = existsSync(SPEC_PATH) ? readFileSync(SPEC_PATH, 'utf8') : '';
    if (committed !== text) {
      console.error(`${SPEC_PATH} is stale: run npm run spec:extract`);
      process.exit(1);
    }
    console.log('spec is up to date');
    return;
  }
  writeFileSync(SPEC_PATH, text);
  const spec = JSON.parse(text) as ApiSpec;
  console.log(`wrote ${SPEC_PATH}: ${Object.keys(spec.actions).length} actions, ${Object.keys(spec.structures).length} structures`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
