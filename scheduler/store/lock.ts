// One scheduler per state folder: two writing the same journal would corrupt each other's
// history. The lock is a file holding the owner's pid; a lock left by a dead process is taken over.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateDirError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the state folder's lock; returns a function that releases it. */
export function lockStateDir(dir: string): () => void {
  const path = join(dir, 'scheduler.lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StateDirError(dir, (err as Error).message);
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new StateDirError(dir, `it is in use by the scheduler with pid ${owner}; stop that one or choose another --state`);
      }
      unlinkSync(path); // left by a process that is gone
    }
  }
  throw new StateDirError(dir, 'cannot take its lock');
}
