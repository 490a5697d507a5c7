// Where a schema error is, as a user writes it: the request schemas themselves live in
// contract/schemas.ts.

/** `/tasks/0/cores` (+ missing `memMb`) → `tasks[0].cores` / `tasks[0].memMb`. */
export function fieldOf(instancePath: string, missing?: unknown): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (typeof missing === 'string') parts.push(missing);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}
