// The journal on real lmdb: replay gives back records in append order, and a process killed
// with SIGKILL loses nothing whose append had resolved (what the API acknowledges to clients).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledPath } from '../../common/index.js';
import { AuditLog } from '../security/index.js';
import { StateCorruptError } from './errors.js';
import { Store, noClientWaits } from './journal.js';
import { DATA_FILE, DATA_PAGE_SIZE, readDataHeader } from './layout.js';

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
  it('makes a new data file with DATA_PAGE_SIZE pages, and keeps the 4 KB pages of one made before', async () => {
    const fresh = tempDir();
    const store = new Store(fresh);
    await store.append({ k: 's', now: 1 });
    await store.close();
    expect(readDataHeader(join(fresh, DATA_FILE))?.pageSize).toBe(DATA_PAGE_SIZE);

    const older = tempDir();
    const made = open({ path: join(older, DATA_FILE), pageSize: 4096 });
    await made.put('made-by', 'an older build');
    await made.close();
    const opened = new Store(older);
    for (let n = 0; n < 50; n++) await opened.append({ k: 's', now: n });
    await opened.close();
    expect(readDataHeader(join(older, DATA_FILE))?.pageSize).toBe(4096);
    const again = new Store(older);
    expect(nows(again)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await again.close();
  });

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

  it('reads on from a snapshot marker or a place inside a group commit', async () => {
    const store = new Store(tempDir());
    // Three groups: [0], [1 2 x:a 3] and [4 x:b], the middle one a single group commit.
    await store.append({ k: 's', now: 0 });
    await Promise.all([store.append({ k: 's', now: 1 }), store.append({ k: 's', now: 2 }), store.mark('a', 2), store.append({ k: 's', now: 3 })]);
    await Promise.all([store.append({ k: 's', now: 4 }), store.mark('b', 4)]);
    const at = store.markerPos(2, 'a');
    expect(at).toEqual({ seq: 2, index: 2 });
    expect(nows(store)).toEqual([0, 1, 2, 3, 4]); // markers are not replayed
    expect([...store.replay({ seq: 2, id: 'a' })].map(({ seq, record }) => [seq, record.now])).toEqual([[2, 3], [3, 4]]);
    expect([...store.replay({ seq: 3, id: 'b' })]).toEqual([]);
    // A replica reads on from its place, markers included.
    expect([...store.recordsAfter({ seq: 2, index: 0 })].map(({ pos, record }) => [pos.seq, pos.index, record.k])).toEqual([[2, 1, 's'], [2, 2, 'x'], [2, 3, 's'], [3, 0, 's'], [3, 1, 'x']]);
    // A marker not where its snapshot says is damage, not an empty replay.
    expect(store.markerPos(3, 'a')).toBeUndefined();
    expect(() => [...store.replay({ seq: 3, id: 'a' })]).toThrow(StateCorruptError);
    expect(() => [...store.replay({ seq: 9, id: 'a' })]).toThrow(/the journal lacks the marker of snapshot a \(group 9\)/);
    await store.close();
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

  /** Spawns the writer with audit entries, kills it with SIGKILL after `acks` acknowledgements; the numbers acknowledged. */
  const killWriterWithAudit = async (dir: string, acks: number): Promise<number[]> => {
    const child = spawn(process.execPath, [compiledPath('scheduler/testing/journal-writer.ts'), dir, 'audit'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const acked: number[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        acked.push(Number(line));
        if (acked.length === acks) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;
    return acked;
  };

  it('commits a record and the audit entry appended in the same turn together: after SIGKILLs, both or neither', async () => {
    const dir = tempDir();
    // Killed three times at different depths, each time into the same folder: the writer starts
    // its numbers again, so each life's records are told apart by the audit entry's sequence.
    let before = { records: 0, entries: 0 };
    for (const acks of [300, 1500, 3000]) {
      const acked = await killWriterWithAudit(dir, acks);
      const store = new Store(dir);
      const records = nows(store).slice(before.records);
      const target = store.auditTarget();
      const log = new AuditLog(target.db, Buffer.alloc(32, 7), Date.now, target.write);
      const entries = log.query({ after: before.entries, limit: 1_000_000 }).map((e) => Number(e.object.replace('record ', '')));
      // The chain and its head are whole: the head committed with the entries it seals.
      expect(log.verify()).toMatchObject({ ok: true, entries: before.entries + entries.length });
      // Every acknowledged record is there, and each record has its entry and each entry its record.
      expect(records.length).toBeGreaterThan(Math.max(...acked));
      expect(entries).toEqual(records);
      before = { records: before.records + records.length, entries: before.entries + entries.length };
      await store.close();
    }
  }, 60_000);
});

describe('which journal writes may wait out the gap (noClientWaits)', () => {
  it('passes, agents\' results and the scheduler\'s own audit entries may; what a request waits for may not', () => {
    const result = { taskId: 1, attempt: 1, node: 'n1', outcome: 'completed' as const, cpuMs: 1, wallMs: 1, kernel: 'noop', summary: null };
    expect(noClientWaits({ k: 's', now: 1 })).toBe(true);
    expect(noClientWaits({ k: 'e', now: 1, event: { type: 'taskEnded', taskId: 1, outcome: 'completed' }, result })).toBe(true);
    expect(noClientWaits({ k: 'a', seq: 1, text: '{}', hash: 'ab', unawaited: true })).toBe(true);
    expect(noClientWaits({ k: 'a', seq: 1, text: '{}', hash: 'ab' })).toBe(false);
    expect(noClientWaits({ k: 'e', now: 1, event: { type: 'cancel', jobId: 1 } })).toBe(false);
    expect(noClientWaits({ k: 'e', now: 1, event: { type: 'taskEnded', taskId: 1, outcome: 'failed' } })).toBe(false);
    expect(noClientWaits({ k: 'x', now: 1, id: 's1' })).toBe(false);
  });
});
