// Slurm-style job array specs: `0-99`, `1,3,5-7`, `0-20:5`, each with an optional `%N` limit.

export const MAX_ARRAY_SIZE = 100_001;

export interface ArraySpec {
  indices: number[];
  /** Most elements running at once; Infinity when unlimited. */
  limit: number;
}

/** Parses an array spec or returns a sentence saying what is wrong with it. */
export function parseArraySpec(spec: string): ArraySpec | string {
  const m = /^([0-9,:\-]+)(?:%([0-9]+))?$/.exec(spec.trim());
  if (!m) return `"${spec}" is not an array spec like 0-99, 1,3,5-7 or 0-15%4`;
  const limit = m[2] === undefined ? Infinity : Number(m[2]);
  if (limit === 0) return `array limit %0 would never run anything; use %1 or more`;
  const seen = new Set<number>();
  for (const part of (m[1] as string).split(',')) {
    const r = /^([0-9]+)(?:-([0-9]+)(?::([0-9]+))?)?$/.exec(part);
    if (!r) return `"${part}" in array spec "${spec}" is not N, N-M or N-M:STEP`;
    const lo = Number(r[1]);
    const hi = r[2] === undefined ? lo : Number(r[2]);
    const step = r[3] === undefined ? 1 : Number(r[3]);
    if (hi < lo) return `"${part}" in array spec "${spec}" runs backwards`;
    if (step < 1) return `"${part}" in array spec "${spec}" has a step below 1`;
    if (hi >= 10_000_000) return `array index ${hi} is too large (at most 9999999)`;
    for (let i = lo; i <= hi; i += step) {
      seen.add(i);
      if (seen.size > MAX_ARRAY_SIZE) return `array spec "${spec}" has more than ${MAX_ARRAY_SIZE} elements`;
    }
  }
  return { indices: [...seen].sort((a, b) => a - b), limit };
}
