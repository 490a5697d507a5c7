// The accounting index on real lmdb: range reads by end time and by dimension, and a rebuild
// when it does not cover the records (a folder written before it existed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AcctIndex } from './acct-index.js';
import { Store, type JobRecord } from './journal.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-acct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rec(id: number, over: Partial<JobRecord>): JobRecord {
  return {
    id, displayId: String(id), name: 'j', owner: 'anna', account: 'rh-genetics', partition: 'clinical', qos: 'normal', purpose: 'treatment', class: null,
    state: 'COMPLETED', reason: 'None', endReason: null, queuePosition: null, priority: { age: 0, fairshare: 0, qos: 0, partition: 0, size: 0, total: 0 },
    submittedAt: 0, startedAt: 0, endedAt: id * 1000, cores: 1, pseudonyms: [], dependencies: [], dependencyAny: false, arrayJobId: null, arrayIndex: null,
    tasks: [], nodes: [], hold: null, beginAt: null, nice: 0, reservation: null, results: [], ...over,
  };
}

describe('AcctIndex', () => {
  it('answers by end time and by user, account, partition or state, in end-time order', async () => {
    const store = new Store(join(dir, 'a'));
    const idx = new AcctIndex(store);
    const records = [
      rec(1, { owner: 'anna' }),
      rec(2, { owner: 'bo', state: 'FAILED' }),
      rec(3, { owner: 'anna', account: 'auh-oncology', endedAt: 500 }),
      rec(4, { owner: 'anna', partition: 'research', state: 'FAILED' }),
    ];
    for (const r of records) await Promise.all([store.putJob(r), idx.add(r)]);
    expect(idx.ids({ dims: {}, endFrom: 0, endTo: Number.MAX_SAFE_INTEGER })).toEqual([3, 1, 2, 4]);
    expect(idx.ids({ dims: {}, endFrom: 1000, endTo: 2000 })).toEqual([1, 2]);
    expect(idx.ids({ dims: { user: ['anna'] }, endFrom: 0, endTo: 10_000 })).toEqual([3, 1, 4]);
    expect(idx.ids({ dims: { state: ['FAILED'] }, endFrom: 0, endTo: 10_000 })).toEqual([2, 4]);
    expect(idx.ids({ dims: { account: ['auh-oncology', 'rh-genetics'] }, endFrom: 600, endTo: 10_000 })).toEqual([1, 2, 4]);
    await idx.remove(records[0] as JobRecord);
    expect(idx.ids({ dims: { user: ['anna'] }, endFrom: 0, endTo: 10_000 })).toEqual([3, 4]);
    await store.close();
  });

  it('rebuilds itself from the records when it does not cover them', async () => {
    const path = join(dir, 'b');
    const store = new Store(path);
    for (const r of [rec(7, {}), rec(8, { owner: 'bo' })]) await store.putJob(r);
    await store.flushed();
    const idx = new AcctIndex(store); // records written before the index existed
    expect(idx.size).toBe(2);
    expect(idx.ids({ dims: { user: ['bo'] }, endFrom: 0, endTo: Number.MAX_SAFE_INTEGER })).toEqual([8]);
    await store.close();
  });
});
