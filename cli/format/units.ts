// Slurm-style time and size notation, both ways: parsing what operators type and
// rendering what the scheduler reports.

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * Parses a Slurm time limit: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`.
 * Returns milliseconds, or null when the text is not one of those forms.
 */
export function parseTimeLimit(text: string): number | null {
  const t = text.trim();
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (!m) return null;
  const [, d, a, b, c] = m;
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  let ms: number;
  if (d !== undefined) {
    // With days the fields are hours[:minutes[:seconds]].
    ms = n(d) * DAY + n(a) * HOUR + n(b) * MIN + n(c) * SEC;
    if (b !== undefined && n(b) >= 60) return null;
    if (c !== undefined && n(c) >= 60) return null;
  } else if (c !== undefined) {
    ms = n(a) * HOUR + n(b) * MIN + n(c) * SEC; // HH:MM:SS
    if (n(b) >= 60 || n(c) >= 60) return null;
  } else if (b !== undefined) {
    ms = n(a) * MIN + n(b) * SEC; // MM:SS
    if (n(b) >= 60) return null;
  } else {
    ms = n(a) * MIN; // MM
  }
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

const SIZE_UNITS_MB: Record<string, number> = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };

/** Parses a memory size like `4G`, `500M`, `1.5T` or a bare number of megabytes (as sbatch does). Null if invalid. */
export function parseMemMb(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT])?(?:i?B)?$/i.exec(text.trim());
  if (!m) return null;
  const unit = SIZE_UNITS_MB[(m[2] ?? 'M').toUpperCase()];
  if (unit === undefined) return null;
  const mb = Math.ceil(Number(m[1]) * unit);
  return mb >= 1 && Number.isSafeInteger(mb) ? mb : null;
}

/** Renders megabytes exactly in the largest whole unit: `500M`, `4G`, `1536G`, `2T`. */
export function formatMemMb(mb: number): string {
  if (mb > 0 && mb % (1024 * 1024) === 0) return `${mb / (1024 * 1024)}T`;
  if (mb > 0 && mb % 1024 === 0) return `${mb / 1024}G`;
  return `${Math.round(mb)}M`;
}

/** Renders a duration the way squeue does: `0:05`, `12:34`, `1:02:03`, `2-03:04:05`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / SEC));
  const days = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const p2 = (x: number): string => String(x).padStart(2, '0');
  if (days > 0) return `${days}-${p2(h)}:${p2(m)}:${p2(s)}`;
  if (h > 0) return `${h}:${p2(m)}:${p2(s)}`;
  return `${m}:${p2(s)}`;
}
