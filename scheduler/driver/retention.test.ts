// Retention on real lmdb: records older than the age are appended to a JSON lines file in
// chunks and removed from the records and the accounting index; younger ones stay. And the
// accounting walk for an -E window stops at the window's end plus the longest submit-to-end span.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { AcctIndex, Store, type JobRecord } from '../store/index.js';
import { Retention } from './retention.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-retention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rec(id: number, endedAt: number, submittedAt = endedAt - 500): JobRecord {
  return {
    id, displayId: String(id), name: 'j', owner: 'anna', account: 'rh-genetics', partition: 'clinical', qos: 'normal', purpose: 'treatment', class: null,
    state: 'COMPLETED', reason: 'None', endReason: null, queuePosition: null, priority: { age: 0, fairshare: 0, qos: 0, partition: 0, size: 0, total: 0 },
    submittedAt, startedAt: submittedAt, endedAt, cores: 1, pseudonyms: [], dependencies: [], dependencyAny: false, arrayJobId: null, arrayIndex: null,
    tasks: [], nodes: [], hold: null, beginAt: null, nice: 0, reservation: null, results: [],
  };
}

describe('retention', () => {
  it('exports records older than the age in chunks, removes them, and keeps the younger ones', async () => {
    const store = new Store(join(dir, 'a'));
    const acct = new AcctIndex(store);
    for (let i = 1; i <= 10; i++) {
      const r = rec(i, i * 1000);
      await store.putJob(r);
      await acct.add(r);
    }
    const file = join(dir, 'a', 'archive', 'jobs.jsonl');
    const retention = new Retention(store, acct, { retentionMs: 5000, exportPath: file, chunk: 2 }, pino({ level: 'silent' }));
    // Now 10,500: records that ended before 5,500 go (ids 1 to 5).
    expect(await retention.sweep(10_500)).toEqual({ exported: 5, chunks: 3 });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as JobRecord);
    expect(lines.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[0]).toEqual(rec(1, 1000));
    for (let i = 1; i <= 5; i++) expect(store.job(i)).toBeUndefined();
    expect(acct.ids({ dims: {}, endFrom: 0, endTo: Number.MAX_SAFE_INTEGER })).toEqual([6, 7, 8, 9, 10]);
    expect(acct.ids({ dims: { user: ['anna'] }, endFrom: 0, endTo: Number.MAX_SAFE_INTEGER })).toEqual([6, 7, 8, 9, 10]);
    expect(store.job(6)?.id).toBe(6);
    // Nothing more is due; a later sweep appends only what aged since.
    expect(await retention.sweep(10_500)).toEqual({ exported: 0, chunks: 0 });
    expect(await retention.sweep(12_000)).toEqual({ exported: 1, chunks: 1 });
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(6);
    // A restart finds the index consistent with the records (no rebuild needed, none lost).
    await store.close();
    const again = new Store(join(dir, 'a'));
    const idx = new AcctIndex(again);
    expect(idx.size).toBe(4);
    expect(idx.ids({ dims: {}, endFrom: 0, endTo: Number.MAX_SAFE_INTEGER })).toEqual([7, 8, 9, 10]);
    await again.close();
  });

  it('is off with an age of 0', async () => {
    const store = new Store(join(dir, 'b'));
    const acct = new AcctIndex(store);
    await store.putJob(rec(1, 1));
    await acct.add(rec(1, 1));
    const retention = new Retention(store, acct, { retentionMs: 0, exportPath: join(dir, 'b', 'x.jsonl') }, pino({ level: 'silent' }));
    expect(await retention.sweep(1e12)).toEqual({ exported: 0, chunks: 0 });
    expect(store.job(1)?.id).toBe(1);
    await store.close();
  });

  it('keeps the longest submit-to-end span, which bounds an -E window', async () => {
    const store = new Store(join(dir, 'c'));
    const acct = new AcctIndex(store);
    const records = [rec(1, 1000, 900), rec(2, 2000, 1900), rec(3, 5000, 1500), rec(4, 90_000, 89_900)];
    for (const r of records) {
      await store.putJob(r);
      await acct.add(r);
    }
    expect(acct.maxSpan).toBe(3500);
    // A window ending at 2,000: the walk reads to 2,000 + 3,500 and finds job 3 (submitted in
    // the window, ended after it), never job 4.
    expect(acct.ids({ dims: {}, endFrom: 0, endTo: 2000 + acct.maxSpan })).toEqual([1, 2, 3]);
    await store.close();
    expect(new AcctIndex(new Store(join(dir, 'c'))).maxSpan).toBe(3500);
  });
});
