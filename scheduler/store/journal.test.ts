// The journal on real lmdb: replay gives back records in append order, and a process killed
// with SIGKILL loses nothing whose append had resolved (what the API acknowledges to clients).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledPath } from '../../common/index.js';
import { Store } from './journal.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'gsched-journal-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const nows = (store: Store): number[] => [...store.replay()].map(({ record }) => record.now);

describe('Store journal', () => {
  it('replays records in append order across group commits and a reopen', async () => {
    const dir = tempDir();
    const store = new Store(dir);
    const acks: Promise<void>[] = [];
    for (let n = 0; n < 300; n++) {
      acks.push(store.append({ k: 's', now: n }));
      if (n % 7 === 0) await new Promise((r) => setImmediate(r)); // some appends land while a write is in flight
    }
    await Promise.all(acks);
    await store.close();
    const again = new Store(dir);
    expect(nows(again)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // New records go after the replayed ones.
    await again.append({ k: 's', now: 300 });
    await again.close();
    const third = new Store(dir);
    expect(nows(third).at(-1)).toBe(300);
    await third.close();
  });

  it('keeps every acknowledged record when the writer is killed with SIGKILL', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [compiledPath('scheduler/testing/journal-writer.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const acked: number[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        acked.push(Number(line));
        if (acked.length === 2000) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    const store = new Store(dir);
    const replayed = nows(store);
    await store.close();
    // A prefix of the appends, in order, holding everything acknowledged before the kill.
    expect(replayed).toEqual(Array.from({ length: replayed.length }, (_, i) => i));
    expect(replayed.length).toBeGreaterThan(Math.max(...acked));
  }, 30_000);
});
