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
  // Ten digits at least: most keys and values on a request's path are shorter than that.
  return text.length >= 10 && CPR_ANYWHERE.test(text);
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

/** What scanBody found: nesting deeper than allowed, or the path of the first CPR-shaped text (null: none). */
export type BodyScan = { tooDeep: true } | { tooDeep: false; cprAt: string | null };

/**
 * Both checks every request body gets, in one walk: whether it nests objects or arrays
 * deeper than `max` (as nestedDeeperThan; this wins over any CPR-shaped text), and else the
 * path of its first CPR-shaped string or key, as cprPathIn gives it (`skip` as there: those
 * top-level fields are still checked for depth). Recursion stops at `max` levels.
 */
export function scanBody(value: unknown, max: number, skip: readonly string[] = []): BodyScan {
  const segs: (string | number)[] = [];
  let hit: (string | number)[] | null = null;
  // True once something deeper than `max` is found (the walk ends there).
  const walk = (v: unknown, depth: number, check: boolean): boolean => {
    if (typeof v === 'string') {
      if (check && hit === null && containsCpr(v)) hit = segs.slice();
      return false;
    }
    if (typeof v !== 'object' || v === null) return false;
    if (depth >= max) return true;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        segs.push(i);
        const deep = walk(v[i], depth + 1, check && hit === null);
        segs.pop();
        if (deep) return true;
      }
      return false;
    }
    for (const k in v) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
      const own = check && hit === null && !(depth === 0 && skip.length > 0 && skip.includes(k));
      if (own && containsCpr(k)) hit = [...segs, '(a key)'];
      segs.push(k);
      const deep = walk((v as Record<string, unknown>)[k], depth + 1, own && hit === null);
      segs.pop();
      if (deep) return true;
    }
    return false;
  };
  if (walk(value, 0, true)) return { tooDeep: true };
  return { tooDeep: false, cprAt: hit === null ? null : pathText(hit) };
}

/** `a[0].b` from its segments, outermost first; `(body)` for none. */
function pathText(segs: readonly (string | number)[]): string {
  let path = '';
  for (const seg of segs) path = typeof seg === 'number' ? `${path}[${seg}]` : path === '' ? seg : `${path}.${seg}`;
  return path === '' ? '(body)' : path;
}

/**
 * The path (`tasks[2].name`) of the first string in `value` (an object tree from JSON) that
 * holds a CPR-shaped substring, or null. Keys are checked too. `skip` names top-level fields
 * that may carry one (the consent route's `cpr`). The path is built only for a hit: every
 * request body is walked, and nearly none holds one.
 */
export function cprPathIn(value: unknown, skip: readonly string[] = []): string | null {
  const hit = cprHit(value, skip);
  return hit === null ? null : pathText(hit.reverse());
}

/** The segments of the first hit's path, innermost first; a key that holds one is `(a key)`. */
function cprHit(value: unknown, skip: readonly string[]): (string | number)[] | null {
  if (typeof value === 'string') return containsCpr(value) ? [] : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = cprHit(value[i], []);
      if (hit !== null) return (hit.push(i), hit);
    }
    return null;
  }
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k) || (skip.length > 0 && skip.includes(k))) continue;
    if (containsCpr(k)) return ['(a key)'];
    const hit = cprHit((value as Record<string, unknown>)[k], []);
    if (hit !== null) return (hit.push(k), hit);
  }
  return null;
}
