// For tests that scan output for patient identifiers: a CPR-shaped run (DDMMYY-XXXX or
// DDMMYYXXXX, with a day and month that exist) standing alone. The boundaries are hex-aware:
// ten digits inside a SHA-256 digest (the audit chain prints them) or a request's UUID are not a
// CPR number, and treating them as one failed such scans about once in thirty runs.
// (common/cpr.ts's containsCpr is stricter on purpose: it refuses CPRs glued to letters in input.)
const CPR_SHAPED = /(?<![\dA-Fa-f])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}(?![\dA-Fa-f])/;

/** The text around the first CPR-shaped run in `text` (so a failure shows it), or null if none. */
export function cprShapedAround(text: string): string | null {
  const at = text.search(CPR_SHAPED);
  return at < 0 ? null : text.slice(Math.max(0, at - 60), at + 80);
}
