// Slurm-style compressed host lists: c1-n001,c1-n002,c1-n003,c2-n007 → c1-n[001-003],c2-n007.

interface Parsed {
  prefix: string;
  num: number;
  digits: number;
}

export function compressHostlist(names: readonly string[]): string {
  const groups = new Map<string, Parsed[]>();
  const plain: string[] = [];
  for (const name of new Set(names)) {
    const m = /^(.*?)(\d+)$/.exec(name);
    if (!m || m[1] === undefined || m[2] === undefined) {
      plain.push(name);
      continue;
    }
    // Keep differently padded numbers apart so that expanding the list gives back the names.
    const key = `${m[1]}\u0000${m[2].length}`;
    const list = groups.get(key) ?? [];
    list.push({ prefix: m[1], num: Number(m[2]), digits: m[2].length });
    groups.set(key, list);
  }
  const parts: { sortKey: string; text: string }[] = plain.map((p) => ({ sortKey: p, text: p }));
  for (const list of groups.values()) {
    list.sort((a, b) => a.num - b.num);
    const first = list[0] as Parsed;
    const fmt = (n: number): string => String(n).padStart(first.digits, '0');
    if (list.length === 1) {
      parts.push({ sortKey: first.prefix + fmt(first.num), text: first.prefix + fmt(first.num) });
      continue;
    }
    const ranges: string[] = [];
    let lo = first.num;
    let prev = first.num;
    for (const p of list.slice(1)) {
      if (p.num === prev + 1) {
        prev = p.num;
        continue;
      }
      ranges.push(lo === prev ? fmt(lo) : `${fmt(lo)}-${fmt(prev)}`);
      lo = prev = p.num;
    }
    ranges.push(lo === prev ? fmt(lo) : `${fmt(lo)}-${fmt(prev)}`);
    parts.push({ sortKey: first.prefix + fmt(first.num), text: `${first.prefix}[${ranges.join(',')}]` });
  }
  return parts
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    .map((p) => p.text)
    .join(',');
}

/** Expands `c1-n[001-003,007],x` back into names (the inverse of compressHostlist). */
export function expandHostlist(list: string): string[] {
  const out: string[] = [];
  for (const part of list.match(/[^,[]+(?:\[[^\]]*\])?/g) ?? []) {
    const m = /^(.*)\[([^\]]*)\]$/.exec(part);
    if (!m || m[1] === undefined || m[2] === undefined) {
      out.push(part);
      continue;
    }
    for (const r of m[2].split(',')) {
      const [a = '', b = a] = r.split('-');
      for (let n = Number(a); n <= Number(b); n++) out.push(m[1] + String(n).padStart(a.length, '0'));
    }
  }
  return out;
}
