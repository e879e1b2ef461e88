/** Documentation of query parameters that map onto documented input members. */
import type { QueryParam } from '../params';
import type { QueryDoc } from '../router';
import { enText, memberSchema } from '../schemas';

export function memberQueryDocs(action: string, params: readonly QueryParam[]): QueryDoc[] {
  const texts = enText.actions[action]?.inputs ?? {};
  return params.map((p) => {
    const schema = memberSchema(`${action}.in`, p.member, 'input');
    delete schema.description;
    const text = texts[p.member.name] ?? '';
    const list = p.member.array ? ' Comma-separated.' : '';
    return { name: p.name, schema, description: `${text}${list} (${action} ${p.member.name})`.trim() };
  });
}
