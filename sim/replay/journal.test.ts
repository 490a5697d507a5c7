// A live run (the real-time driver with a real core and a real lmdb journal, on a FakeClock)
// replays identically through the simulator's replay; the same journal under another policy
// is caught at the very pass where that policy would have decided otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/index.js';
import { FakeClock, loadClusterConfig } from '../../common/index.js';
import type { Assignment } from '../../proto/index.js';
import { SchedulerCore, type ClusterConfig, type JobSpec } from '../../scheduler/core/index.js';
import { LiveDriver, makeCore } from '../../scheduler/driver/index.js';
import { Store, type JournalRecord } from '../../scheduler/store/index.js';
import { SMALL_CLUSTER } from '../../scheduler/testing/index.js';
import { replayJournal } from './journal.js';

const HOUR = 3_600_000;
const dir = mkdtempSync(join(tmpdir(), 'gsched-replay-'));
const config = loadClusterConfig(SMALL_CLUSTER()); // six 8-core nodes, EASY backfill
const records: JournalRecord[] = [];
let cJob = 0;

const job = (name: string, tasks: number, cores: number, limitMs: number, qos = 'normal'): JobSpec =>
  ({
    name, owner: 'tester', account: 'rh-genetics', partition: 'clinical', qos, purpose: 'treatment', pseudonyms: [],
    tasks: Array.from({ length: tasks }, () => ({ cores, memMb: 1024, timeLimitMs: limitMs })),
  }) as unknown as JobSpec;

/** A live run: A fills every node but 2 cores; urgent B (a whole node) waits for A; short C fits the gaps. */
beforeAll(async () => {
  const clock = new FakeClock();
  const sent: Assignment[] = [];
  const driver = new LiveDriver({ core: makeCore(config), store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 24 * HOUR, minPassGapMs: 0, clock });
  driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, drain: () => undefined, flush: () => undefined });
  const nodes = config.nodes.map((n) => n.name);
  const pass = (): void => clock.advance(1);
  await driver.agentHello(nodes, [], []);
  pass();
  expect((await driver.submit(job('A', 6, 6, 2 * HOUR))).ok).toBe(true);
  pass();
  const b = await driver.submit(job('B', 1, 8, HOUR, 'urgent'));
  const c = await driver.submit(job('C', 1, 2, HOUR));
  if (!b.ok || !c.ok) throw new Error('B or C refused');
  cJob = c.value.jobIds[0] as number;
  pass();
  // EASY's backfill pass (every 30 s) starts C in the gaps; then A and C end, and B starts.
  clock.advance(30 * 60_000);
  const done = (a: Assignment): Promise<void> => driver.agentCompletion({ task: a.task, outcome: 'OUTCOME_COMPLETED', cpuMs: 1, wallMs: 1, kernel: 'noop', summaryJson: '{}', error: '' }, new Set(nodes));
  for (const a of [...sent]) await done(a);
  pass();
  const bStart = sent.find((a) => a.jobId === b.value.jobIds[0]);
  if (!bStart) throw new Error('B did not start once A ended');
  await done(bStart);
  pass();
  await driver.close();
  records.push(...[...driver.store.replay()].map((r) => r.record));
  await driver.store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1-based number of the first pass whose recorded decisions start job C (found in the live record). */
function passStartingC(): number {
  const passes = records.filter((r): r is Extract<JournalRecord, { k: 's' }> => r.k === 's');
  return passes.findIndex((p) => (p.d ?? []).some((t) => t.startsWith('start ') && t.includes(` of job ${cJob} `))) + 1;
}

describe('replayJournal', () => {
  it('replays a live run identically, comparing every pass', () => {
    const r = replayJournal(records, new SchedulerCore(config));
    expect(r.divergence).toBeNull();
    expect(r.passes).toBeGreaterThanOrEqual(5);
    expect(r.compared).toBe(r.passes);
    expect(r.events).toBe(records.filter((x) => x.k === 'e').length);
  });

  it('catches a changed policy at the pass where it decides otherwise (FCFS does not backfill C)', () => {
    const expected = passStartingC();
    expect(expected).toBeGreaterThan(1);
    const fcfs: ClusterConfig = { ...config, scheduler: { ...config.scheduler, policy: 'fcfs' } };
    const r = replayJournal(records, new SchedulerCore(fcfs));
    expect(r.divergence).toMatchObject({ kind: 'pass', pass: expected });
    if (r.divergence?.kind !== 'pass') throw new Error('no pass divergence');
    expect(r.divergence.live.some((t) => t.includes(` of job ${cJob} `))).toBe(true);
    expect(r.divergence.replay.some((t) => t.includes(` of job ${cJob} `))).toBe(false);
  });

  it('names an event the replayed core refuses', () => {
    const bad: JournalRecord[] = [...records.slice(0, 3), { k: 'e', now: 5, event: { type: 'cancel', jobId: 999_999 } }];
    const r = replayJournal(bad, new SchedulerCore(config));
    expect(r.divergence).toMatchObject({ kind: 'event', event: 'cancel' });
  });
});

describe('gsched replay', () => {
  async function gsched(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      const code = await main(['node', 'gsched', ...args]);
      return { code, out, err };
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
  }

  it('says no pass diverged for the live run, with the cluster the scheduler recorded', async () => {
    const r = await gsched('replay', '--state', dir);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/no pass diverged/);
    expect(r.code).toBe(0);
  });

  it('exits 1 and shows both decision lists at the divergent pass under another policy', async () => {
    const r = await gsched('replay', '--state', dir, '--policy', 'fcfs');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`pass ${passStartingC()} `);
    expect(r.out).toMatch(/live:[\s\S]*replay:/);
    expect(r.err).toMatch(/diverged at pass/);
  });

  it('refuses a missing state folder and an unknown policy with exit 2', async () => {
    expect((await gsched('replay', '--state', join(dir, 'nope'))).code).toBe(2);
    const bad = await gsched('replay', '--state', dir, '--policy', 'random');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--policy: expected fcfs, easy or conservative/);
  });
});
