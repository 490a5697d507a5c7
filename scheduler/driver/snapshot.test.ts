// Snapshots in the live driver: a restart is the latest snapshot plus the journal after its
// marker, the journal before it is compacted away, and the driver's own books (attempts,
// display ids, idempotency keys) come back too. A changed config file does not stop a start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Assignment, Completion } from '../../proto/index.js';
import { FakeClock, loadClusterConfig } from '../../common/index.js';
import { layoutFingerprint, type ClusterConfig, type JobSpec } from '../core/index.js';
import { Store, fsckStateDir } from '../store/index.js';
import { SMALL_CLUSTER, testJob, waitFor } from '../testing/index.js';
import { Books, takeSnapshot } from './books.js';
import { LiveDriver, SnapshotLayoutError } from './driver.js';
import { makeCore } from './make-core.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const config = loadClusterConfig(SMALL_CLUSTER());
const allNodes = config.nodes.map((n) => n.name);

function open(dir: string, cfg: ClusterConfig = config, more: { clock?: FakeClock; snapshotEveryRecords?: number } = {}): { driver: LiveDriver; sent: Assignment[] } {
  const sent: Assignment[] = [];
  const driver = new LiveDriver({ core: makeCore(cfg), coreFor: makeCore, store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, ...more });
  driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, drain: () => undefined, flush: () => undefined });
  return { driver, sent };
}

const done = (a: Assignment): Completion => ({ task: a.task, outcome: 'OUTCOME_COMPLETED', cpuMs: 1, wallMs: 2, kernel: 'noop', summaryJson: '{}', error: '' });

const view = (d: LiveDriver): unknown => ({
  jobs: d.core.jobs().map(({ priority: _p, ...j }) => j).sort((a, b) => a.id - b.id),
  nodes: d.core.nodes(),
  running: d.core.runningTasks().sort((a, b) => a.taskId - b.taskId),
});

describe('LiveDriver snapshots', () => {
  it('restarts from the latest snapshot and the journal tail, with the journal before it compacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snap-'));
    dirs.push(dir);
    const first = open(dir);
    const d = first.driver;
    await d.agentHello(allNodes, [], []);
    const arr = await d.submit(testJob([{ cores: 4 }], { array: '0-5' }) as unknown as JobSpec, { key: 'k-1', hash: 'h' });
    expect(arr.ok).toBe(true);
    for (let i = 0; i < 20; i++) await d.submit(testJob([{ cores: 2 }, { cores: 1 }]) as unknown as JobSpec);
    await waitFor('placements', () => first.sent.length >= 10);
    for (const a of first.sent.slice(0, 5)) await d.agentCompletion(done(a), new Set(allNodes));
    await d.snapshot();
    const meta = d.store.snapshotMeta();
    expect(meta).toBeDefined();
    expect(d.store.journal.firstKey()).toBe(meta?.seq); // compacted up to the marker's group
    // The tail: more events after the snapshot.
    for (const a of first.sent.slice(5, 8)) await d.agentCompletion(done(a), new Set(allNodes));
    await d.cancel(10);
    await d.submit(testJob([{ cores: 1 }], { name: 'after-snapshot' }) as unknown as JobSpec);
    await d.store.flushed();
    const before = view(d);
    const attemptsBefore = first.sent.map((a) => a.task);
    await d.close();
    await d.store.close();

    const again = open(dir);
    expect(view(again.driver)).toEqual(before);
    // Array display ids and idempotency keys come from the snapshot's books.
    const base = arr.ok ? (arr.value.jobIds[0] as number) : -1;
    expect(again.driver.resolveJobId(`${base}_3`)).toBe(base + 3);
    const retried = await again.driver.submit(testJob([{ cores: 4 }], { array: '0-5' }) as unknown as JobSpec, { key: 'k-1', hash: 'h' });
    expect(retried).toMatchObject({ ok: true, value: { jobIds: arr.ok ? arr.value.jobIds : [], replayed: true } });
    // Attempts continue where they were: a requeued task's next start is attempt 2.
    const running = again.driver.core.runningTasks()[0];
    if (!running) throw new Error('nothing running');
    expect(attemptsBefore.some((t) => t.taskId === running.taskId && t.attempt === 1)).toBe(true);
    await again.driver.close();
    await again.driver.store.close();
  });

  it('starts under the config its state folder was made with when the file changed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snap-cfg-'));
    dirs.push(dir);
    const first = open(dir);
    await first.driver.agentHello(allNodes, [], []);
    await first.driver.submit(testJob([{ cores: 2 }], { partition: 'research', account: 'research', purpose: 'research' }) as unknown as JobSpec);
    await first.driver.close();
    await first.driver.store.close();
    // The new file drops the research partition an existing job (and its journal event) uses.
    const changed: ClusterConfig = { ...config, partitions: config.partitions.filter((p) => p.name !== 'research') };
    const again = open(dir, changed);
    expect(again.driver.core.config.partitions.map((p) => p.name)).toContain('research');
    expect(again.driver.core.jobs()).toHaveLength(1);
    // ...and says why it did not take the file's config.
    expect(again.driver.configRefusal).toMatch(/^the new config does not fit the scheduler's state \(1 conflict\):\n- partition research: removed, but job 1 is in it$/);
    await again.driver.close();
    await again.driver.store.close();
  });

  // The journal before a snapshot is compacted away, so a snapshot another build's records
  // would be misread from cannot fall back to a replay: the start is refused, saying why.
  it('refuses a snapshot whose state layout is not this build\'s when the journal before it is compacted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snap-layout-'));
    dirs.push(dir);
    const first = open(dir);
    await first.driver.agentHello(allNodes, [], []);
    await first.driver.submit(testJob([{ cores: 2 }]) as unknown as JobSpec);
    await first.driver.snapshot();
    const meta = first.driver.store.snapshotMeta();
    const header = first.driver.store.snaps.get(`${meta?.id}/0`) as { layout?: string };
    expect(header.layout).toMatch(/^[0-9a-z]+-[0-9a-z]+-[0-9a-z]+$/);
    expect(first.driver.store.journal.firstKey()).toBeGreaterThan(1);
    const rewrite = async (layout: string | undefined): Promise<void> => {
      const store = new Store(dir);
      await store.snaps.put(`${meta?.id}/0`, { ...header, layout });
      await store.close();
    };
    await first.driver.close();
    await first.driver.store.close();

    expect((await fsckStateDir(dir)).snapshotLayout).toBe(header.layout);
    await rewrite('1-other-build');
    // fsck names the layout (gsched fsck compares it with its own); it is not damage.
    expect(await fsckStateDir(dir)).toMatchObject({ ok: true, snapshotLayout: '1-other-build', journalFromStart: false });
    expect(() => open(dir)).toThrow(SnapshotLayoutError);
    expect(() => open(dir)).toThrow(
      new RegExp(`latest snapshot \\(${meta?.id}, at journal group ${meta?.seq}\\) was written by a gsched build with state layout 1-other-build, which this build \\(state layout [0-9a-z-]+\\) would misread; the folder holds journal groups ${meta?.seq}-\\d+ only \\(groups 1-${(meta?.seq ?? 0) - 1} were compacted into that snapshot\\) and no older snapshot this build reads.*Start the gsched build that wrote the folder \\(state layout 1-other-build\\)`),
    );
    await rewrite(undefined);
    expect((await fsckStateDir(dir)).snapshotLayout).toBeNull();
    expect(() => open(dir)).toThrow(/a gsched build from before state layouts were recorded/);
    await rewrite(header.layout);
    const again = open(dir);
    expect(again.driver.core.jobs()).toHaveLength(1);
    await again.driver.close();
    await again.driver.store.close();
  });

  /** Writes a snapshot as a build of another layout would, and no compaction after it (a crash, or a build that kept the journal). */
  async function forgeOtherBuildSnapshot(d: LiveDriver, layout: string): Promise<string> {
    const id = `other-build-${layout}`;
    const { header, objs } = takeSnapshot(d.core, new Books());
    const seq = await d.store.mark(id, 0);
    await d.store.writeSnapshot(id, seq, 0, { ...header, layout }, objs);
    return id;
  }

  /** A driver whose warnings are kept. */
  function openLogged(dir: string): { driver: LiveDriver; sent: Assignment[]; warnings: { msg: string; snapshot?: string; from?: unknown }[] } {
    const warnings: { msg: string; snapshot?: string; from?: unknown }[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line) as (typeof warnings)[number]) });
    const sent: Assignment[] = [];
    const driver = new LiveDriver({ core: makeCore(config), coreFor: makeCore, store: new Store(dir), log, timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0 });
    driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, drain: () => undefined, flush: () => undefined });
    return { driver, sent, warnings };
  }

  /** Waits for the fresh snapshot a start takes after passing over `forged`, and checks what it left. */
  async function expectReplaced(d: LiveDriver, forged: string): Promise<void> {
    const fresh = await waitFor('a fresh snapshot', () => {
      const m = d.store.snapshotMeta();
      return m !== undefined && m.id !== forged && d.store.journal.firstKey() === m.seq ? m : undefined;
    });
    expect((d.store.snaps.get(`${fresh.id}/0`) as { layout?: string }).layout).toBe(layoutFingerprint());
    await waitFor('the passed-over chunks removed', () => [...d.store.snaps.db.getKeys()].every((k) => k.startsWith(`${fresh.id}/`)));
    expect(d.store.olderSnapshots()).toEqual([]);
  }

  it('rebuilds from the whole journal when the latest snapshot is another build\'s layout, then takes a fresh one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snap-layout-journal-'));
    dirs.push(dir);
    const first = open(dir);
    const d = first.driver;
    await d.agentHello(allNodes, [], []);
    const arr = await d.submit(testJob([{ cores: 4 }], { array: '0-3' }) as unknown as JobSpec, { key: 'k-old', hash: 'h' });
    for (let i = 0; i < 6; i++) await d.submit(testJob([{ cores: 2 }, { cores: 1 }]) as unknown as JobSpec);
    await waitFor('placements', () => first.sent.length >= 6);
    for (const a of first.sent.slice(0, 3)) await d.agentCompletion(done(a), new Set(allNodes));
    const forged = await forgeOtherBuildSnapshot(d, '1-older-build');
    await d.cancel(6); // after the forged snapshot's marker
    await d.store.flushed();
    expect(d.store.journal.firstKey()).toBe(1);
    const before = view(d);
    await d.close();
    await d.store.close();
    expect(await fsckStateDir(dir)).toMatchObject({ ok: true, snapshotLayout: '1-older-build', journalFromStart: true });

    const again = openLogged(dir);
    expect(view(again.driver)).toEqual(before);
    const base = arr.ok ? (arr.value.jobIds[0] as number) : -1;
    expect(again.driver.resolveJobId(`${base}_2`)).toBe(base + 2); // the books came back from the journal too
    expect(again.warnings).toMatchObject([{ snapshot: forged, from: 'journal' }]);
    expect(again.warnings[0]?.msg).toMatch(/another state layout \(1-older-build\).*rebuilding the state from the whole journal, then taking a fresh snapshot/);
    await expectReplaced(again.driver, forged);
    await again.driver.close();
    await again.driver.store.close();

    const third = openLogged(dir); // from the fresh snapshot, without a warning
    expect(view(third.driver)).toEqual(before);
    expect(third.warnings).toEqual([]);
    await third.driver.close();
    await third.driver.store.close();
  });

  it('rebuilds from an older snapshot of this layout still in the folder and the journal after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snap-layout-older-'));
    dirs.push(dir);
    const first = open(dir);
    const d = first.driver;
    await d.agentHello(allNodes, [], []);
    for (let i = 0; i < 4; i++) await d.submit(testJob([{ cores: 2 }]) as unknown as JobSpec);
    await d.snapshot(); // this build's, and the journal compacted behind it
    const older = d.store.snapshotMeta();
    await waitFor('placements', () => first.sent.length >= 2);
    await d.agentCompletion(done(first.sent[0] as Assignment), new Set(allNodes));
    const forged = await forgeOtherBuildSnapshot(d, '1-newer-build');
    await d.submit(testJob([{ cores: 1 }], { name: 'after-forged' }) as unknown as JobSpec);
    await d.store.flushed();
    expect(d.store.journal.firstKey()).toBe(older?.seq);
    expect(d.store.olderSnapshots().map((m) => m.id)).toEqual([older?.id]);
    const before = view(d);
    await d.close();
    await d.store.close();

    const again = openLogged(dir);
    expect(view(again.driver)).toEqual(before);
    expect(again.warnings).toMatchObject([{ snapshot: forged, from: { snapshot: older?.id } }]);
    expect(again.warnings[0]?.msg).toMatch(new RegExp(`rebuilding the state from the older snapshot ${older?.id} and the journal after it`));
    await expectReplaced(again.driver, forged);
    await again.driver.close();
    await again.driver.store.close();
  });

  // The fault test's lost completion (seed 605190): an event whose own journal record makes a
  // snapshot due was snapshotted before the driver noted it, so the snapshot's marker came after
  // the record while its books lacked the record's result, and a restart from it lost the result.
  it('a snapshot made due by an event carries that event in its books (result, array ids, key, node note)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snap-due-'));
    dirs.push(dir);
    const clock = new FakeClock();
    const nodes = new Set(allNodes);
    // Every record makes a snapshot due: the one an event triggers is the latest at each restart.
    const reopen = (): ReturnType<typeof open> => open(dir, config, { clock, snapshotEveryRecords: 1 });
    let cur = reopen();
    const restart = async (): Promise<void> => {
      await cur.driver.close();
      await cur.driver.store.close();
      cur = reopen();
    };
    /** Runs an event and joins the snapshot it made due (taken in the event's own turn). */
    const withItsSnapshot = async <T>(event: () => Promise<T>): Promise<T> => {
      const before = cur.driver.store.snapshotMeta()?.id;
      const [value] = await Promise.all([event(), cur.driver.snapshot()]);
      const after = cur.driver.store.snapshotMeta()?.id;
      expect(after).toBeDefined();
      expect(after).not.toBe(before);
      return value;
    };
    await cur.driver.agentHello(allNodes, [], []);
    const sub = await cur.driver.submit(testJob([{ cores: 1 }, { cores: 1 }]) as unknown as JobSpec);
    const jobId = sub.ok ? (sub.value.jobIds[0] as number) : -1;
    clock.advance(1); // a pass: both tasks start
    await cur.driver.snapshot();
    const [first] = cur.sent;
    if (!first) throw new Error('nothing placed');

    await withItsSnapshot(() => cur.driver.agentCompletion(done(first), nodes));
    await restart();
    expect(cur.driver.jobView(jobId)?.results?.map((r) => [r.taskId, r.outcome])).toEqual([[first.task.taskId, 'completed']]);

    const arr = await withItsSnapshot(() => cur.driver.submit(testJob([{ cores: 1 }], { array: '3-5' }) as unknown as JobSpec, { key: 'k-due', hash: 'h' }));
    const base = arr.ok ? (arr.value.jobIds[0] as number) : -1;
    await restart();
    expect(cur.driver.resolveJobId(`${base}_4`)).toBe(base + 1);
    const retried = await cur.driver.submit(testJob([{ cores: 1 }], { array: '3-5' }) as unknown as JobSpec, { key: 'k-due', hash: 'h' });
    expect(retried).toMatchObject({ ok: true, value: { jobIds: arr.ok ? arr.value.jobIds : [], replayed: true } });

    await withItsSnapshot(() => cur.driver.nodeAdmin('c3-n002', 'down', { reason: 'fan failure', by: 'op' }));
    await restart();
    await cur.driver.agentHello(allNodes, [], []); // its agent's hello does not bring it up
    expect(cur.driver.core.nodes().find((n) => n.name === 'c3-n002')?.state).toBe('DOWN');
    expect(cur.driver.nodeReasons()).toMatchObject([{ node: 'c3-n002', state: 'down', reason: 'fan failure', by: 'op' }]);
    await cur.driver.close();
    await cur.driver.store.close();
  });
});

describe('LiveDriver snapshot pacing', () => {
  it('takes the next snapshot only once the records since the last number at least the objects it copied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-snap-pace-'));
    // A fake clock: no pass runs (and writes a record) unless the test moves it.
    const { driver: d } = open(dir, config, { snapshotEveryRecords: 1, clock: new FakeClock() });
    try {
      await d.agentHello(allNodes, [], []);
      for (let i = 0; i < 5; i++) expect((await d.submit(testJob([{ cores: 1 }, { cores: 1 }]) as unknown as JobSpec)).ok).toBe(true);
      await d.snapshot(); // one the submits started, if any
      await d.snapshot(); // then one of the whole state
      const first = d.store.loadSnapshot();
      if (!first) throw new Error('no snapshot');
      const objects = first.objs.length;
      expect(objects).toBeGreaterThan(3);
      // Fewer records than objects: every one is past snapshotEveryRecords, none brings a snapshot.
      const inFlight = (): Promise<void> | null => (d as unknown as { snapshotting: Promise<void> | null }).snapshotting;
      for (let i = 0; i < objects - 2; i++) await d.consent(`p_${String(i).padStart(24, 'a')}`, 'granted');
      expect(inFlight()).toBeNull();
      expect(d.store.loadSnapshot()?.meta.id).toBe(first.meta.id);
      for (let i = 0; i < 3; i++) await d.consent(`p_${String(i).padStart(24, 'b')}`, 'granted');
      await inFlight(); // the snapshot the records started, if it is still being written
      expect(d.store.loadSnapshot()?.meta.id).not.toBe(first.meta.id);
    } finally {
      await d.close();
      await d.store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
