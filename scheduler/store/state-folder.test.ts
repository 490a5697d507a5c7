// The state folder refuses to be used wrongly: two schedulers racing for it (exactly one
// wins), a truncated, emptied, deleted or bit-flipped data file, a newer schema, a data file
// from another folder. Each is a clear refusal, never a crash or a silent empty start.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { open } from 'lmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../core/index.js';
import { LaunchError, compiledPath, launchScheduler, type Child } from '../../common/index.js';
import { SMALL_CLUSTER } from '../testing/index.js';
import { RecordCorruptError, SchemaTooNewError, StateCorruptError } from './errors.js';
import { fsckStateDir } from './fsck.js';
import { Store, type JobRecord } from './journal.js';
import { DATA_FILE, FORMAT_FILE, SCHEMA } from './layout.js';
import { lockStateDir } from './lock.js';
import { AuditLog } from '../security/index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'gsched-folder-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const JOB_MARK = 'jobmark-7f3a9c';
const EVENT_MARK = 'eventmark-5d2b1e';

function jobRecord(id: number, name: string): JobRecord {
  return { id, displayId: String(id), name, state: 'COMPLETED', results: [] } as unknown as JobView as JobRecord;
}

/** A folder holding a journal of 3,000 records and 500 job records. */
let pristine: string;
beforeAll(async () => {
  pristine = tempDir();
  const store = new Store(pristine);
  const acks: Promise<unknown>[] = [];
  for (let n = 0; n < 3000; n++) {
    acks.push(store.append(n === 1500 ? { k: 'e', now: n, event: { type: 'consent', pseudonym: EVENT_MARK, status: 'granted' } } : { k: 's', now: n }));
    if (n % 50 === 0) await Promise.all(acks.splice(0));
  }
  for (let id = 1; id <= 500; id++) acks.push(store.putJob(jobRecord(id, id === 250 ? JOB_MARK : `job-${id}`)));
  await Promise.all(acks);
  await store.flushed();
  await store.close();
});

const copy = (): string => {
  const d = tempDir();
  cpSync(pristine, d, { recursive: true });
  return d;
};

const replayAll = (dir: string): number => {
  const s = new Store(dir);
  try {
    return [...s.replay()].length;
  } finally {
    void s.close();
  }
};

/** Flips one bit in every copy of `mark` in the data file (lmdb may keep stale page copies). */
function flipBitIn(dir: string, mark: string): number {
  const path = join(dir, DATA_FILE);
  const bytes = readFileSync(path);
  let hits = 0;
  for (let at = bytes.indexOf(mark); at >= 0; at = bytes.indexOf(mark, at + 1)) {
    bytes[at + 3] = (bytes[at + 3] as number) ^ 0x04;
    hits++;
  }
  writeFileSync(path, bytes);
  return hits;
}

describe('state folder lock', () => {
  it('is held by one open file description at a time, and free again once released', () => {
    const dir = tempDir();
    const release = lockStateDir(dir);
    expect(() => lockStateDir(dir)).toThrow(/in use by another scheduler/);
    release();
    const again = lockStateDir(dir);
    again();
  });

  it('lets exactly one of two schedulers racing for one folder serve; a lock left by a SIGKILLed one is free', async () => {
    const dir = copy();
    const args = ['--http-port', '0', '--grpc-port', '0', '--state', dir, '--cluster', SMALL_CLUSTER(), '--log-level', 'warn'];
    const raced = await Promise.allSettled([launchScheduler(args), launchScheduler(args)]);
    const won = raced.filter((r) => r.status === 'fulfilled');
    const lost = raced.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(LaunchError);
    expect(String((lost[0]?.reason as Error).message)).toMatch(/in use by another scheduler/);
    const winner = (won[0] as PromiseFulfilledResult<{ child: Child }>).value.child;
    winner.process.kill('SIGKILL');
    await winner.exited;
    const next = await launchScheduler(args);
    await next.child.stop(2000);
  }, 120_000);
});

describe('a folder killed right after start', () => {
  // A SIGKILL leaves what lmdb wrote in the page cache, so the data file is never shorter than
  // its newest meta page says, whenever the kill lands: before the first commit (no FORMAT, a
  // new folder), during it, or while group commits are in flight. The truncation check must
  // let each of these folders open, with every acknowledged record.
  const writer = `
    const { Store } = await import(${JSON.stringify(pathToFileURL(compiledPath('scheduler/store/journal.ts')).href)});
    const s = new Store(process.argv[1]);
    process.stdout.write('open\\n');
    for (let n = 0; ; n++) {
      const acks = [];
      for (let i = 0; i < 20; i++) acks.push(s.append({ k: 's', now: n * 20 + i, d: ['x'.repeat((n * 97) % 3000)] }));
      await Promise.all(acks);
      process.stdout.write('acked ' + (n * 20 + 20) + '\\n');
    }`;

  it.each([-1, 0, 5, 25])('reopens after a kill %i ms after the store opened (-1: 150 ms after spawn, as it starts up)', async (delayMs) => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        // -1: as soon as the process starts writing anything (lmdb opened, FORMAT maybe not yet).
        if (delayMs < 0 || out.includes('open')) setTimeout(resolve, Math.max(0, delayMs));
      });
      if (delayMs < 0) setTimeout(resolve, 150);
    });
    child.kill('SIGKILL');
    await exited;
    const acked = Math.max(0, ...[...out.matchAll(/acked (\d+)/g)].map((m) => Number(m[1])));
    const store = new Store(dir);
    try {
      expect([...store.replay()].length).toBeGreaterThanOrEqual(acked);
    } finally {
      await store.close();
    }
  }, 30_000);
});

describe('damaged state folder', () => {
  it('refuses a truncated data file with a message, in the store and as `gsched up` reports it', async () => {
    const dir = copy();
    const path = join(dir, DATA_FILE);
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    expect(() => new Store(dir)).toThrow(StateCorruptError);
    expect(() => new Store(dir)).toThrow(/truncated: it holds \d+ bytes but its header needs \d+/);
    const launched = launchScheduler(['--http-port', '0', '--grpc-port', '0', '--state', dir, '--cluster', SMALL_CLUSTER()]);
    await expect(launched).rejects.toThrow(/truncated.*gsched fsck/);
    const report = await fsckStateDir(dir);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/truncated/);
  }, 60_000);

  it('refuses an emptied data file and a deleted one: the folder once held state', () => {
    const emptied = copy();
    truncateSync(join(emptied, DATA_FILE), 0);
    expect(() => new Store(emptied)).toThrow(/data file gsched.lmdb is empty, but the folder held scheduler state/);
    const deleted = copy();
    unlinkSync(join(deleted, DATA_FILE));
    expect(() => new Store(deleted)).toThrow(/its data file gsched.lmdb is missing/);
  });

  it('refuses a data file brought in from another folder', () => {
    const mine = copy();
    const other = tempDir();
    void new Store(other).close();
    cpSync(join(other, DATA_FILE), join(mine, DATA_FILE));
    expect(() => new Store(mine)).toThrow(/belongs to another state folder/);
  });

  it('finds a bit flipped in a job record on read, and fsck names it', async () => {
    const dir = copy();
    expect(flipBitIn(dir, JOB_MARK)).toBeGreaterThan(0);
    const store = new Store(dir);
    expect(store.job(249)?.name).toBe('job-249');
    expect(() => store.job(250)).toThrow(RecordCorruptError);
    expect(() => store.job(250)).toThrow(/jobs2\/250 is damaged: its checksum does not match/);
    await store.close();
    const report = await fsckStateDir(dir);
    expect(report.ok).toBe(false);
    expect(report.dbs.find((d) => d.name === 'jobs2')).toEqual({ name: 'jobs2', records: 500, damaged: 1 });
    expect(report.problems).toContain('stored record jobs2/250 is damaged: its checksum does not match its contents');
  });

  it('refuses to replay a journal with a flipped bit', async () => {
    const dir = copy();
    expect(replayAll(dir)).toBe(3000);
    expect(flipBitIn(dir, EVENT_MARK)).toBeGreaterThan(0);
    expect(() => replayAll(dir)).toThrow(StateCorruptError);
    expect(() => replayAll(dir)).toThrow(/journal2\/\d+ is damaged.*gsched fsck/);
    const launched = launchScheduler(['--http-port', '0', '--grpc-port', '0', '--state', dir, '--cluster', SMALL_CLUSTER()]);
    await expect(launched).rejects.toThrow(/journal2\/\d+ is damaged/);
  }, 60_000);

  it('refuses a folder of a newer schema', () => {
    const dir = copy();
    const format = JSON.parse(readFileSync(join(dir, FORMAT_FILE), 'utf8')) as { schema: number };
    writeFileSync(join(dir, FORMAT_FILE), JSON.stringify({ ...format, schema: SCHEMA + 1 }));
    expect(() => new Store(dir)).toThrow(SchemaTooNewError);
    expect(() => new Store(dir)).toThrow(`state schema ${SCHEMA + 1}; this one reads up to ${SCHEMA}). Upgrade gsched`);
  });

  it("fsck walks the audit log's chain: a removed entry or a broken link is named, a sound chain counted", async () => {
    const dir = tempDir();
    const store = new Store(dir);
    const target = store.auditTarget();
    const log = new AuditLog(target.db, Buffer.alloc(32, 7), Date.now, target.write);
    const actor = { id: 'u1', name: 'ops', role: 'operator' };
    for (let i = 1; i <= 5; i++) await log.append({ action: 'job.submit', object: `job ${i}`, outcome: 'ok' }, actor, null);
    await store.close();
    const sound = await fsckStateDir(dir);
    expect(sound.problems).toEqual([]);
    expect(sound.dbs.find((d) => d.name === 'audit')).toEqual({ name: 'audit', records: 5, damaged: 0 });
    const damage = async (edit: (db: import('lmdb').Database<string, number>) => void): Promise<string[]> => {
      const d = tempDir();
      cpSync(dir, d, { recursive: true });
      const root = open({ path: join(d, DATA_FILE) });
      const db = root.openDB<string, number>({ name: 'audit', encoding: 'string' });
      edit(db);
      await db.flushed;
      await root.close();
      const report = await fsckStateDir(d);
      expect(report.ok).toBe(false);
      expect(report.dbs.find((x) => x.name === 'audit')?.damaged).toBe(1);
      return report.problems;
    };
    expect(await damage((db) => db.removeSync(3))).toEqual([expect.stringMatching(/^the audit log is damaged at entry 3: entry 3 is missing \(the next stored is 4\): removed/)]);
    expect(await damage((db) => db.putSync(2, (db.get(2) as string).replace(/"prev":"[0-9a-f]/, '"prev":"x')))).toEqual([expect.stringMatching(/damaged at entry 2: entry 2 does not follow entry 1/)]);
    expect(await damage((db) => db.putSync(0, '{"seq":4'))).toEqual([expect.stringMatching(/damaged at entry 6: the head record .* is not readable/)]);
  });

  it('reports a sound folder as ok', async () => {
    const report = await fsckStateDir(copy());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.dbs.find((d) => d.name === 'journal2')?.records).toBeGreaterThan(0);
  });
});

describe('schema migration', () => {
  it('brings a schema-1 folder (plain msgpack, no FORMAT) to the current schema with its records', async () => {
    const dir = tempDir();
    const root = open({ path: join(dir, DATA_FILE) });
    const journal = root.openDB<unknown, number>({ name: 'journal' });
    const jobs = root.openDB<unknown, number>({ name: 'jobs' });
    const arrays = root.openDB<unknown, number>({ name: 'arrays' });
    await journal.put(1, { k: 's', now: 5 });
    await journal.put(2, { k: 'm', records: [{ k: 's', now: 6 }, { k: 'e', now: 7, event: { type: 'cancel', jobId: 3 } }] });
    await jobs.put(3, jobRecord(3, 'old'));
    await arrays.put(4, '0-3');
    await root.close();

    const store = new Store(dir);
    expect([...store.replay()].map((r) => r.record.now)).toEqual([5, 6, 7]);
    expect(store.job(3)?.name).toBe('old');
    expect(store.arraySpec(4)).toBe('0-3');
    expect(store.format?.schema).toBe(SCHEMA);
    await store.close();
    expect(JSON.parse(readFileSync(join(dir, FORMAT_FILE), 'utf8'))).toMatchObject({ format: 'gsched-state', schema: SCHEMA });
    expect((await fsckStateDir(dir)).ok).toBe(true);
  });
});
