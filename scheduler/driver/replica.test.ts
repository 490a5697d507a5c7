// Snapshots taken by the replica in a worker thread (replica.ts): the live core is never copied
// on the scheduler's thread, a restart from the replica's snapshot is the live state, and a
// replica whose passes disagree with the journal writes no snapshot (the driver then copies in
// its own thread).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Assignment, Completion } from '../../proto/index.js';
import { BACKGROUND_NICE, FakeClock, loadClusterConfig, readStatNice } from '../../common/index.js';
import type { JobSpec } from '../core/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import { LiveDriver } from './driver.js';
import { makeCore } from './make-core.js';
import { FOLLOW_BATCH, Replica, ReplicaDivergedError } from './replica.js';
import { REPLICA_THREAD_NAME } from './replica-worker.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const config = loadClusterConfig(SMALL_CLUSTER());
const allNodes = config.nodes.map((n) => n.name);
const done = (a: Assignment): Completion => ({ task: a.task, outcome: 'OUTCOME_COMPLETED', cpuMs: 1, wallMs: 2, kernel: 'noop', summaryJson: '{}', error: '' });

/** A driver whose core counts the copies made of it in this thread. */
function open(dir: string, clock: FakeClock): { driver: LiveDriver; sent: Assignment[]; copies: () => number } {
  const core = makeCore(config);
  let copies = 0;
  const snapshot = core.snapshot.bind(core);
  core.snapshot = () => (copies++, snapshot());
  const sent: Assignment[] = [];
  const driver = new LiveDriver({ core, coreFor: makeCore, store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock });
  driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, drain: () => undefined, flush: () => undefined });
  return { driver, sent, copies: () => copies };
}

/** This process's threads' names and nice values (vitest runs each test file in its own process). */
const threads = (): { name: string; nice: number | null }[] =>
  readdirSync('/proc/self/task').map((t) => ({ name: readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim(), nice: readStatNice(`/proc/self/task/${t}/stat`) }));

const view = (d: { core: Replica['core'] }): unknown => ({
  jobs: d.core.jobs().map(({ priority: _p, ...j }) => j).sort((a, b) => a.id - b.id),
  nodes: d.core.nodes(),
  running: d.core.runningTasks().sort((a, b) => a.taskId - b.taskId),
});

describe('snapshots by the replica', () => {
  it('never copies the live core, and a restart from two of them is the live state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-replica-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const niceBefore = readStatNice('/proc/thread-self/stat');
    const first = open(dir, clock);
    const d = first.driver;
    await d.agentHello(allNodes, [], []);
    const arr = await d.submit(testJob([{ cores: 2 }], { array: '1-4' }) as unknown as JobSpec, { key: 'k-r', hash: 'h' });
    for (let i = 0; i < 8; i++) await d.submit(testJob([{ cores: 2 }, { cores: 1 }]) as unknown as JobSpec);
    clock.advance(1);
    for (const a of first.sent.slice(0, 4)) await d.agentCompletion(done(a), new Set(allNodes));
    await d.snapshot(); // the replica replays the journal from its start
    if (process.platform === 'linux') {
      // The worker replays at the lowest priority, under its own name; the scheduler's thread keeps its own.
      expect(threads()).toContainEqual({ name: REPLICA_THREAD_NAME, nice: BACKGROUND_NICE });
      expect(readStatNice('/proc/thread-self/stat')).toBe(niceBefore);
    }
    const firstSnap = d.store.snapshotMeta()?.id;
    await d.cancel(9);
    await d.nodeAdmin(allNodes[0] as string, 'drain', { reason: 'bios update', by: 'op' });
    clock.advance(1);
    for (const a of first.sent.slice(4, 7)) await d.agentCompletion(done(a), new Set(allNodes));
    await d.snapshot(); // ...then from the first snapshot's marker
    expect(d.store.snapshotMeta()?.id).not.toBe(firstSnap);
    expect(d.store.journal.firstKey()).toBe(d.store.snapshotMeta()?.seq); // compacted behind it
    expect(first.copies()).toBe(0);
    await d.submit(testJob([{ cores: 1 }], { name: 'tail' }) as unknown as JobSpec);
    const before = view(d);
    await d.close();
    await d.store.close();

    const again = open(dir, new FakeClock());
    try {
      expect(view(again.driver)).toEqual(before);
      const base = arr.ok ? (arr.value.jobIds[0] as number) : -1;
      expect(again.driver.resolveJobId(`${base}_2`)).toBe(base + 1);
      expect(await again.driver.submit(testJob([{ cores: 2 }], { array: '1-4' }) as unknown as JobSpec, { key: 'k-r', hash: 'h' })).toMatchObject({ ok: true, value: { replayed: true } });
      expect(again.driver.nodeReasons()).toMatchObject([{ node: allNodes[0], state: 'drain', reason: 'bios update', by: 'op' }]);
    } finally {
      await again.driver.close();
      await again.driver.store.close();
    }
  });

  it("replays a pass that enforced time limits short of a blocked loop's length as the journal says (its l)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-replica-stall-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const o = open(dir, clock);
    const d = o.driver;
    try {
      await d.agentHello(allNodes, [], []);
      const job = { ...testJob([{ cores: 2 }]), tasks: [{ cores: 2, memMb: 1024, durationMs: 30_000, timeLimitMs: 60_000 }] };
      expect((await d.submit(job as unknown as JobSpec)).ok).toBe(true);
      clock.advance(1);
      const a = o.sent[0];
      if (!a) throw new Error('not started');
      clock.advance(20_000);
      clock.block(120_000); // past the task's limit while its report waits unread
      clock.advance(1); // the pass for the deadline, which forgives the block
      await d.agentCompletion(done(a), new Set(allNodes));
      expect(d.jobView(a.jobId)?.state).toBe('COMPLETED');
      // A replica replaying that pass to `now` would kill the task: its snapshot would not be written.
      await d.snapshot();
      expect(d.store.snapshotMeta()).toBeDefined();
      expect(o.copies()).toBe(0);
    } finally {
      await d.close();
      await d.store.close();
    }
  });

  it('writes no snapshot from a replica whose pass decides otherwise than the journal says, and the driver copies in its thread instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-replica-diverged-'));
    dirs.push(dir);
    const clock = new FakeClock();
    let cur = open(dir, clock);
    await cur.driver.agentHello(allNodes, [], []);
    await cur.driver.submit(testJob([{ cores: 1 }]) as unknown as JobSpec);
    // A pass record whose decisions no pass of this state makes (a journal from another core).
    await cur.driver.store.append({ k: 's', now: cur.driver.clock.now(), d: ['start task 999 of job 999 on nowhere'] });
    const id = randomUUID();
    await cur.driver.store.mark(id, cur.driver.clock.now());
    expect(() => new Replica(cur.driver.store, config).follow(id)).toThrow(ReplicaDivergedError);
    await cur.driver.close();
    await cur.driver.store.close();

    cur = open(dir, clock);
    try {
      await cur.driver.snapshot(); // the worker's replica diverges: no snapshot
      expect(cur.driver.store.snapshotMeta()).toBeUndefined();
      expect(cur.copies()).toBe(0);
      await cur.driver.snapshot(); // copied in this thread
      expect(cur.copies()).toBe(1);
      expect(cur.driver.store.snapshotMeta()).toBeDefined();
    } finally {
      await cur.driver.close();
      await cur.driver.store.close();
    }
  });

  it('follows a journal longer than a read batch, in groups big and small, to the same state as the live core', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-replica-batches-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const cur = open(dir, clock);
    try {
      const d = cur.driver;
      // Passes over an empty cluster decide nothing, live or replayed: one group larger than a
      // batch (records appended in one turn go to disk together), then groups of 50...
      const burst: Promise<unknown>[] = [];
      for (let i = 0; i < FOLLOW_BATCH + 500; i++) burst.push(d.store.append({ k: 's', now: d.clock.now() }));
      await Promise.all(burst);
      for (let g = 0; g < (2 * FOLLOW_BATCH) / 50; g++) await Promise.all(Array.from({ length: 50 }, () => d.store.append({ k: 's', now: d.clock.now() })));
      // ...then the live core's own records: nodes, jobs and the passes that start them.
      await d.agentHello(allNodes, [], []);
      for (let i = 0; i < 40; i++) await d.submit(testJob([{ cores: 1 }]) as unknown as JobSpec);
      const id = randomUUID();
      await d.store.mark(id, d.clock.now());
      const replica = new Replica(d.store, config);
      expect(replica.follow(id)).toBeGreaterThan(3 * FOLLOW_BATCH);
      const live = view(d);
      expect(view(replica)).toEqual(live);
    } finally {
      await cur.driver.close();
      await cur.driver.store.close();
    }
  });
});
