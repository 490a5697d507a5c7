// One scheduler per state folder: two writing the same journal would corrupt each other's
// history. The lock is an flock(2) on `scheduler.lock`, held by an open file description of
// this process. Node has no flock call, so util-linux's flock(1) makes the system call on a
// descriptor it inherits from us (fd 3) and exits; the lock belongs to the open file
// description, which our descriptor keeps alive, so it stays ours until we close it or the
// process ends in any way (SIGKILL included: the kernel drops it). Taking it is one atomic
// system call, so of two schedulers racing for a folder exactly one wins, and a lock left by
// a dead process is simply free: no pid is read, so pid reuse cannot fool it.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StateDirError } from './errors.js';

/** flock(1) exits with this when the lock is held elsewhere (-E); any other failure is ours. */
const BUSY = 75;

/** Takes the state folder's lock; returns a function that releases it. Throws if it is held. */
export function lockStateDir(dir: string): () => void {
  const path = join(dir, 'scheduler.lock');
  let fd: number;
  try {
    fd = openSync(path, 'a+', 0o600);
  } catch (err) {
    throw new StateDirError(dir, `cannot open its lock file: ${(err as Error).message}`);
  }
  const r = spawnSync('flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(BUSY), '3'], {
    stdio: ['ignore', 'ignore', 'pipe', fd],
  });
  if (r.status !== 0) {
    closeSync(fd);
    if (r.status === BUSY) throw new StateDirError(dir, 'it is in use by another scheduler (it holds scheduler.lock); stop that one or choose another --state');
    const why = r.error ? r.error.message : `flock exited with ${String(r.status ?? r.signal)}: ${r.stderr.toString().trim()}`;
    throw new StateDirError(dir, `cannot take its lock (${why}); flock(1) from util-linux is needed`);
  }
  // For people reading the folder only: the lock itself is the flock, not this text.
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`);
  } catch {
    // informational only
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    closeSync(fd); // closing the last descriptor of the open file description drops the lock
  };
}
