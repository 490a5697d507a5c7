// Danish CPR numbers (DDMMYY-XXXX or DDMMYYXXXX): how to recognise one, so that none is ever
// stored, logged or accepted in a free-text field. Pure functions; no I/O.

// A day and month that exist, two year digits, an optional dash and four digits, with no
// digit on either side (so a 13-digit timestamp is not mistaken for one).
const CPR_SOURCE = '(?<!\\d)(?:0[1-9]|[12]\\d|3[01])(?:0[1-9]|1[0-2])\\d{2}-?\\d{4}(?!\\d)';
const CPR_ANYWHERE = new RegExp(CPR_SOURCE);
const CPR_EVERYWHERE = new RegExp(CPR_SOURCE, 'g');
const CPR_WHOLE = /^\s*((?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2})-?(\d{4})\s*$/;

/** True if `text` holds a CPR-shaped substring anywhere. */
export function containsCpr(text: string): boolean {
  return CPR_ANYWHERE.test(text);
}

/** `text` with every CPR-shaped substring replaced by `[CPR]`. */
export function scrubCpr(text: string): string {
  return CPR_ANYWHERE.test(text) ? text.replace(CPR_EVERYWHERE, '[CPR]') : text;
}

/** The ten digits of a CPR number given as the whole of `text`, or null if it is not one. */
export function normalizeCpr(text: string): string | null {
  const m = CPR_WHOLE.exec(text);
  return m ? `${m[1]}${m[2]}` : null;
}

/** True if `value` nests objects/arrays deeper than `max` (checked without recursion). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}

/**
 * The path (`tasks[2].name`) of the first string in `value` (an object tree from JSON) that
 * holds a CPR-shaped substring, or null. Keys are checked too. `skip` names top-level fields
 * that may carry one (the consent route's `cpr`).
 */
export function cprPathIn(value: unknown, skip: readonly string[] = [], path = ''): string | null {
  if (typeof value === 'string') return containsCpr(value) ? path || '(body)' : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = cprPathIn(value[i], [], `${path}[${i}]`);
      if (hit !== null) return hit;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (path === '' && skip.includes(k)) continue;
    const here = path === '' ? k : `${path}.${k}`;
    if (containsCpr(k)) return here.replace(k, '(a key)');
    const hit = cprPathIn(v, [], here);
    if (hit !== null) return hit;
  }
  return null;
}
