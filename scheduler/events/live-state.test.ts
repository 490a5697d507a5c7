// The live counts /metrics shows as gsched_jobs: each active job counted once under its state and
// labels as it is submitted, starts and ends, and a series gone once it counts no job.
import { describe, expect, it } from 'vitest';
import type { CoreApi } from '../driver/index.js';
import type { JobSpec } from '../core/index.js';
import { LiveState } from './live-state.js';

const job = (name: string, account: string, cls?: string): JobSpec =>
  ({ name, owner: 'o', account, partition: 'research', qos: 'normal', purpose: 'research', pseudonyms: [], tasks: [{ cores: 2, memMb: 10 }], ...(cls === undefined ? {} : { class: cls }) }) as JobSpec;

describe('LiveState job counts', () => {
  it('moves a job from PENDING to RUNNING and drops it when it ends, per set of labels', () => {
    const live = new LiveState(() => ({}) as CoreApi, null);
    const submit = (id: number, spec: JobSpec): void => live.accepted({ type: 'submit', job: spec }, { ok: true, jobIds: [id] }, 0);
    const counts = (): string[] => live.jobCounts().map(([k, n]) => `${k.state} ${k.account} ${k.class} ${n}`).sort();
    submit(1, job('a', 'acct-a', 'wgs'));
    submit(2, job('b', 'acct-a', 'wgs'));
    submit(3, job('c', 'acct-b'));
    expect(counts()).toEqual(['PENDING acct-a wgs 2', 'PENDING acct-b  1']);
    live.started(1);
    live.started(1); // a second task of a running job: no second move
    expect(counts()).toEqual(['PENDING acct-a wgs 1', 'PENDING acct-b  1', 'RUNNING acct-a wgs 1']);
    live.jobEnded('COMPLETED', 1);
    live.jobEnded('CANCELLED', 3);
    expect(counts()).toEqual(['PENDING acct-a wgs 1']);
    expect(live.oldestPending()).toEqual(new Map([['research', 0]]));
    live.started(2);
    live.jobEnded('COMPLETED', 2);
    expect(counts()).toEqual([]);
    // The same labels again after their series was dropped: counted afresh.
    submit(4, job('d', 'acct-a', 'wgs'));
    expect(counts()).toEqual(['PENDING acct-a wgs 1']);
    expect(live.endedTotal).toBe(3);
  });
});
