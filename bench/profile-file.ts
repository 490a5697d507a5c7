// A bench profile's file: named after its process (`scheduler`, `agent`, `sim`, `up`…) and
// written at exit, for the CPU and allocation profile preloads alike.
import { mkdirSync, writeFileSync } from 'node:fs';
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

/**
 * At exit, asks `stop` for the profile and writes it as `<role>-<pid>.<ext>` into PROFILE_DIR
 * (default: the working directory; made if missing). 'exit' handlers run synchronously, and
 * an in-process inspector session answers at once. A profile lost without a word (a missing
 * PROFILE_DIR) would read as "this process did nothing", so a failure is said on stderr.
 */
export function writeProfileAtExit(ext: string, stop: (done: (err: Error | null, profile: unknown) => void) => void): void {
  let written = false;
  process.on('exit', () => {
    if (written) return;
    written = true;
    stop((err, profile) => {
      const dir = process.env.PROFILE_DIR ?? '.';
      const file = join(dir, `${profileRole()}-${process.pid}.${ext}`);
      try {
        if (err) throw err;
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, JSON.stringify(profile));
      } catch (e) {
        process.stderr.write(`${ext} preload: no profile written to ${file}: ${(e as Error).message}\n`);
      }
    });
  });
}
