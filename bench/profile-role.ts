// The name a bench profile file takes after its process: `scheduler`, `agent`, `sim`, `up`…
import { basename, join } from 'node:path';

/** The script's name without `main`/extension; for a `main` script, its package's. */
export function profileRole(): string {
  const script = process.argv[1] ?? 'node';
  const name = basename(script).replace(/\.[cm]?js$/, '');
  const dir = basename(join(script, '..'));
  if (name !== 'main') return name;
  if (dir === 'node-agent') return 'agent';
  if (dir === 'cli') return process.argv[2] ?? 'cli';
  return dir;
}
