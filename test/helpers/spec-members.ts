/** Every member of the committed spec with the place it belongs to (`Action.in`, `Action.out`, structure). */
import { spec, type MemberSpec } from '../../src/spec';

export function allMembers(): { owner: string; m: MemberSpec }[] {
  const out: { owner: string; m: MemberSpec }[] = [];
  for (const a of Object.values(spec.actions)) {
    for (const m of a.inputs) out.push({ owner: `${a.name}.in`, m });
    for (const m of a.outputs) out.push({ owner: `${a.name}.out`, m });
  }
  for (const s of Object.values(spec.structures)) for (const m of s.members) out.push({ owner: s.name, m });
  return out;
}
