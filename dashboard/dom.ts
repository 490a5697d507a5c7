// Small DOM helpers: elements built from a tag, attributes and children (no framework).

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
}

export const fmt = new Intl.NumberFormat('en-GB');

export function kw(watts: number): string {
  return `${(watts / 1000).toFixed(1)} kW`;
}

export function mwh(joules: number): string {
  const kwh = joules / 3.6e6;
  return kwh >= 1000 ? `${(kwh / 1000).toFixed(2)} MWh` : `${kwh.toFixed(1)} kWh`;
}

/** A horizontal bar list: label, bar proportional to the largest value, the value. */
export function bars(rows: [string, number][], title: string): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const list = el('div', { class: 'bars', role: 'list', 'aria-label': title });
  if (rows.length === 0) list.append(el('div', { class: 'empty' }, 'none'));
  for (const [label, n] of rows) {
    const bar = el('span', { class: 'bar' });
    bar.style.width = `${(100 * n) / max}%`;
    list.append(el('div', { class: 'bar-row', role: 'listitem' }, el('span', { class: 'bar-label' }, label), el('span', { class: 'bar-track' }, bar), el('span', { class: 'bar-value' }, fmt.format(n))));
  }
  return list;
}
