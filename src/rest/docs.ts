/**
 * `GET /v1/docs`: a self-contained HTML reference (no scripts, no CDN) generated from the OpenAPI
 * document, so the page and the machine-readable description never disagree. It lists the
 * resource routes, the error body, every action with its parameters and response members, and
 * every schema they reference, with anchors between them.
 */
import type { JsonSchema } from './schemas';

function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const anchor = (kind: string, name: string) => `${kind}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function refName(s: JsonSchema): string | undefined {
  const r = s.$ref;
  return typeof r === 'string' ? r.split('/').pop() : undefined;
}

/** A short HTML rendering of a schema's type with links to referenced components. */
function typeHtml(s: JsonSchema | undefined): string {
  if (!s) return '';
  const name = refName(s);
  if (name) return `<a href="#${anchor('schema', name)}">${esc(name)}</a>`;
  if (Array.isArray(s.anyOf)) return (s.anyOf as JsonSchema[]).map(typeHtml).join(' | ');
  if (Array.isArray(s.allOf)) return (s.allOf as JsonSchema[]).map(typeHtml).join(' &amp; ');
  const t = Array.isArray(s.type) ? (s.type as string[]).join(' | ') : String(s.type ?? 'any');
  if (t.startsWith('array')) return `array of ${typeHtml(s.items as JsonSchema)}${Array.isArray(s.type) ? ' | null' : ''}`;
  return esc(t);
}

function constraints(s: JsonSchema): string {
  const out: string[] = [];
  const inner = (s.type === 'array' || (Array.isArray(s.type) && s.type[0] === 'array') ? s.items : s) as JsonSchema;
  if (s.maxItems !== undefined) out.push(`≤ ${esc(s.maxItems)} items`);
  if (inner?.enum) out.push(`one of ${(inner.enum as unknown[]).map((v) => `<code>${v === null ? 'null' : esc(v)}</code>`).join(', ')}`);
  if (inner?.minimum !== undefined) out.push(`≥ ${esc(inner.minimum)}`);
  if (inner?.maximum !== undefined) out.push(`≤ ${esc(inner.maximum)}`);
  if (inner?.pattern !== undefined) out.push(`pattern <code>${esc(inner.pattern)}</code>`);
  if (s.default !== undefined) out.push(`default ${esc(JSON.stringify(s.default))}`);
  if (s.deprecated) out.push('deprecated');
  return out.join('; ');
}

function propertiesTable(schema: JsonSchema, withRequired: boolean): string {
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(props).map(
    ([name, p]) =>
      `<tr><td><code>${esc(name)}</code>${withRequired && required.has(name) ? ' <b>required</b>' : ''}</td><td>${typeHtml(p)}</td><td>${esc(p.description)}${
        constraints(p) ? `<br><small>${constraints(p)}</small>` : ''
      }</td></tr>`,
  );
  if (!rows.length) return '<p><em>No members.</em></p>';
  return `<table><thead><tr><th>Member</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function schemaBlock(name: string, schema: JsonSchema): string {
  let body: string;
  if (schema.properties) body = propertiesTable(schema, true);
  else if (Array.isArray(schema.allOf)) {
    body = (schema.allOf as JsonSchema[]).map((part) => (part.properties ? propertiesTable(part, true) : `<p>Includes ${typeHtml(part)}.</p>`)).join('');
  } else body = `<p>${typeHtml(schema)} ${constraints(schema)}</p>`;
  return `<section id="${anchor('schema', name)}"><h3>${esc(name)}</h3>${schema.description ? `<p>${esc(schema.description)}</p>` : ''}${body}</section>`;
}

function parametersTable(params: JsonSchema[]): string {
  if (!params.length) return '';
  const rows = params.map(
    (p) =>
      `<tr><td><code>${esc(p.name)}</code> <small>(${esc(p.in)})</small>${p.required ? ' <b>required</b>' : ''}</td><td>${typeHtml(p.schema as JsonSchema)}</td><td>${esc(p.description)}${
        constraints(p.schema as JsonSchema) ? `<br><small>${constraints(p.schema as JsonSchema)}</small>` : ''
      }</td></tr>`,
  );
  return `<table><thead><tr><th>Parameter</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function responsesList(op: JsonSchema): string {
  const responses = op.responses as Record<string, JsonSchema>;
  const items: string[] = [];
  const errors: string[] = [];
  for (const [status, r] of Object.entries(responses)) {
    const shared = refName(r);
    // Shared error responses all carry the Error body: list them compactly.
    if (shared) {
      errors.push(`<a href="#err-${esc(status)}">${esc(status)}</a>`);
      continue;
    }
    const schema = ((r.content as JsonSchema | undefined)?.['application/json'] as JsonSchema | undefined)?.schema as JsonSchema | undefined;
    const headers = r.headers ? ` <small>headers: ${Object.keys(r.headers as object).map(esc).join(', ')}</small>` : '';
    items.push(`<li><b>${esc(status)}</b> ${esc(r.description)}${schema ? ` — ${typeHtml(schema)}` : ''}${headers}</li>`);
  }
  if (errors.length) items.push(`<li>Errors: ${errors.join(', ')} — <a href="#${anchor('schema', 'GatewayError')}">GatewayError</a></li>`);
  return `<ul class="responses">${items.join('')}</ul>`;
}

function errorTable(doc: JsonSchema): string {
  const shared = ((doc.components as JsonSchema).responses ?? {}) as Record<string, JsonSchema>;
  const rows = Object.values(shared)
    .sort((a, b) => Number(a['x-status']) - Number(b['x-status']))
    .map((r) => {
      const status = esc(r['x-status']);
      const headers = r.headers ? ` <small>headers: ${Object.keys(r.headers as object).map(esc).join(', ')}</small>` : '';
      return `<tr id="err-${status}"><td>${status}</td><td>${esc(r.description)}${headers}</td></tr>`;
    });
  return `<table><thead><tr><th>Status</th><th>When</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function operationBlock(method: string, path: string, op: JsonSchema): string {
  const body = op.requestBody as JsonSchema | undefined;
  const bodySchema = body ? (((body.content as JsonSchema)['application/json'] as JsonSchema).schema as JsonSchema) : undefined;
  let bodyHtml = '';
  if (bodySchema) {
    const inline = bodySchema.properties ? propertiesTable(bodySchema, true) : '';
    bodyHtml = `<h4>Body${body!.required ? ' (required)' : ''}</h4><p>${esc(body!.description)} ${inline ? '' : typeHtml(bodySchema)}</p>${inline}`;
  }
  const id = anchor('op', String(op.operationId));
  return `<section id="${id}" class="op"><h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3><p><b>${esc(op.summary)}</b></p>${String(
    op.description ?? '',
  )
    .split('\n\n')
    .map((p) => `<p>${esc(p)}</p>`)
    .join('')}${parametersTable((op.parameters ?? []) as JsonSchema[])}${bodyHtml}<h4>Responses</h4>${responsesList(op)}</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2430}main{max-width:1100px;margin:0 auto;padding:1rem 2rem}
nav{columns:3;font-size:13px}nav a{display:block}code{background:#f2f4f7;padding:0 .25em;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:14px}td,th{border:1px solid #d8dde5;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f6f8fa}section{border-top:1px solid #e4e7ec;padding-top:.5rem}.m{font-size:12px;padding:.1em .4em;border-radius:3px;color:#fff;background:#555}
.m.get{background:#2f7d32}.m.post{background:#1f5fa8}.m.put{background:#8a5a00}.m.delete{background:#b3261e}h2{margin-top:2rem}`;

export function renderDocsHtml(doc: JsonSchema): string {
  const paths = doc.paths as Record<string, Record<string, JsonSchema>>;
  const resource: string[] = [];
  const actions: string[] = [];
  const toc: string[] = [];
  const actionToc: string[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const block = operationBlock(method, path, op);
      const link = `<a href="#${anchor('op', String(op.operationId))}">${esc(method.toUpperCase())} ${esc(path)}</a>`;
      if (path.startsWith('/v1/actions/')) {
        actions.push(block);
        actionToc.push(link);
      } else {
        resource.push(block);
        toc.push(link);
      }
    }
  }
  const schemas = (doc.components as JsonSchema).schemas as Record<string, JsonSchema>;
  const schemaBlocks = Object.entries(schemas).map(([name, s]) => schemaBlock(name, s));
  const info = doc.info as JsonSchema;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(info.title)}</title><style>${STYLE}</style></head><body><main>
<h1>${esc(info.title)}</h1><p>${esc(info.description)}</p><p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
<h2>Errors</h2><p>Every failure answers one JSON shape (schema <a href="#${anchor('schema', 'GatewayError')}">GatewayError</a>):</p>
<pre><code>{"error": {"code": "NOT_FOUND", "message": "…", "requestId": "&lt;gateway request id&gt;",
           "details": {"fields": [{"path": "CertificateIds[3]", "reason": "type", "message": "expected String, got integer"}]},
           "upstream": {"action": "DescribeCertificateDetail", "code": "FailedOperation.CertificateNotFound", "message": "…", "requestId": "…"}}}</code></pre>
${errorTable(doc)}
<h2>Resource routes</h2><nav>${toc.join('')}</nav>${resource.join('')}
<h2>Actions</h2><nav>${actionToc.join('')}</nav>${actions.join('')}
<h2>Schemas</h2>${schemaBlocks.join('')}
</main></body></html>`;
}
