// The driver in process with a real core and real lmdb: a restarted driver replays the journal
// into a fresh core and reaches the same state, attempt numbers included; stale and duplicate
// completions change nothing. The driver runs on a FakeClock: passes and timers run when the
// test moves the clock, and nothing sleeps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Assignment, Completion } from '../../proto/index.js';
import { FakeClock, loadClusterConfig } from '../../common/index.js';
import type { JobSpec } from '../core/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import type { AuditInput } from '../security/index.js';
import { LiveDriver, OVERDUE_PASS_MS } from './driver.js';
import type { DriverObserver } from './dispatcher.js';
import { makeCore } from './make-core.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = loadClusterConfig(SMALL_CLUSTER());
const allNodes = config.nodes.map((n) => n.name);

function open(at = dir): { driver: LiveDriver; clock: FakeClock; sent: Assignment[]; cancels: { taskId: number; attempt: number; reason: string }[] } {
  const clock = new FakeClock();
  const sent: Assignment[] = [];
  const cancels: { taskId: number; attempt: number; reason: string }[] = [];
  const driver = new LiveDriver({ core: makeCore(config), store: new Store(at), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock });
  driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: (_n, t, reason) => void cancels.push({ ...t, reason }), signal: () => undefined, drain: () => undefined, flush: () => undefined });
  return { driver, clock, sent, cancels };
}

const done = (a: Assignment, outcome: Completion['outcome'] = 'OUTCOME_COMPLETED'): Completion => ({ task: a.task, outcome, cpuMs: 1, wallMs: 2, kernel: 'noop', summaryJson: '{"ok":true}', error: '' });

/** Everything the core shows, minus what moves with the clock alone. */
function snapshot(d: LiveDriver): unknown {
  return {
    jobs: d.core.jobs().map(({ priority: _p, ...j }) => j).sort((a, b) => a.id - b.id),
    nodes: d.core.nodes(),
    running: d.core.runningTasks().sort((a, b) => a.taskId - b.taskId),
  };
}

describe('LiveDriver journal replay', () => {
  it('restarts into the same state and keeps counting attempts', async () => {
    const first = open();
    const d = first.driver;
    const pass = (): void => first.clock.advance(1);
    const nodes = new Set(allNodes);
    await d.agentHello(allNodes, [], []);
    const a = await d.submit(testJob([{ cores: 8, durationMs: 5000 }, { cores: 8 }]) as unknown as JobSpec);
    const b = await d.submit(testJob([{ cores: 4 }], { array: '0-3' }) as unknown as JobSpec);
    const c = await d.submit(testJob([{ cores: 2 }]) as unknown as JobSpec);
    expect(a.ok && b.ok && c.ok).toBe(true);
    pass();
    expect(first.sent.length).toBeGreaterThanOrEqual(7);
    const [a0, a1] = first.sent;
    if (!a0 || !a1) throw new Error('nothing placed');
    await d.agentCompletion(done(a0), nodes);
    // A duplicate of the same completion and one for an attempt never made are ignored.
    await d.agentCompletion(done(a0), nodes);
    await d.agentCompletion({ ...done(a1), task: { taskId: a1.task.taskId, attempt: 7 } }, nodes);
    // a1's node is lost: the task goes back to the queue and runs again as attempt 2.
    d.nodesSilent([a1.node]);
    pass();
    expect(first.sent.some((s) => s.task.taskId === a1.task.taskId && s.task.attempt === 2)).toBe(true);
    if (c.ok) await d.cancel(c.value.jobIds[0] as number);
    await d.nodeAdmin('c3-n002', 'drain');
    pass();
    await d.store.flushed();
    const before = snapshot(d);
    await d.close();
    await d.store.close();

    const second = open();
    expect(snapshot(second.driver)).toEqual(before);
    // The restarted driver knows a1 runs as attempt 2: attempt 1's late report is stale.
    const retry = first.sent.find((s) => s.task.taskId === a1.task.taskId && s.task.attempt === 2);
    if (!retry) throw new Error('no retry');
    await second.driver.agentCompletion(done(a1), new Set(allNodes));
    expect(second.driver.core.task(a1.task.taskId)?.state).toBe('RUNNING');
    await second.driver.agentCompletion(done(retry), new Set(allNodes));
    expect(second.driver.core.task(a1.task.taskId)?.state).toBe('COMPLETED');
    const job = second.driver.jobView(a1.jobId);
    expect(job?.state).toBe('COMPLETED');
    expect((job as { results?: { attempt: number }[] }).results?.map((r) => r.attempt)).toEqual([1, 2]);
    await second.driver.close();
    await second.driver.store.close();
  });

  it('sends a later attempt of a task only after the earlier one was acknowledged', async () => {
    const other = mkdtempSync(join(tmpdir(), 'gsched-driver-'));
    const { driver: d, clock, sent, cancels } = open(other);
    const pass = (): void => clock.advance(1);
    try {
      await d.agentHello(allNodes, [], []);
      // Research work fills all six 8-core nodes; nothing is acknowledged yet.
      await d.submit(testJob(Array.from({ length: 6 }, () => ({ cores: 8 })), { partition: 'research', purpose: 'research' }) as unknown as JobSpec);
      pass();
      expect(sent).toHaveLength(6);
      // Urgent clinical work preempts one of them and takes its node.
      const urgent = await d.submit(testJob([{ cores: 8 }], { qos: 'urgent' }) as unknown as JobSpec);
      expect(urgent.ok).toBe(true);
      pass();
      const preempted = cancels.find((c) => c.reason === 'preempted');
      const u = sent.find((a) => urgent.ok && a.jobId === urgent.value.jobIds[0]);
      if (!preempted || !u) throw new Error('no preemption, or the urgent task did not start');
      // The urgent task ends; the preempted task may run again, but attempt 1 is still unacknowledged.
      await d.agentCompletion(done(u), new Set(allNodes));
      pass();
      expect(d.core.task(preempted.taskId)?.state).toBe('RUNNING');
      expect(sent.filter((a) => a.task.taskId === preempted.taskId).map((a) => a.task.attempt)).toEqual([1]);
      // Attempt 2 was decided in that pass and waits 40 ms for the ack: it goes out saying so,
      // and the agent holds its cores that much less (PROTOCOL.md section 10).
      clock.advance(40);
      d.agentAck([{ taskId: preempted.taskId, attempt: 1 }], []);
      const attempts = sent.filter((a) => a.task.taskId === preempted.taskId);
      expect(attempts.map((a) => a.task.attempt)).toEqual([1, 2]);
      expect(attempts[0]?.lateMs).toBe(0);
      expect(attempts[1]?.lateMs).toBeGreaterThanOrEqual(40);
    } finally {
      await d.close();
      await d.store.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
  it('kills a task at its time limit when the clock reaches it, and not a moment before (its own timer, no sleeping)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'gsched-driver-'));
    const { driver: d, clock, sent, cancels } = open(other);
    try {
      await d.agentHello(allNodes, [], []);
      const job = { ...testJob([{ cores: 2 }]), tasks: [{ cores: 2, memMb: 1024, timeLimitMs: 60_000 }] };
      expect((await d.submit(job as unknown as JobSpec)).ok).toBe(true);
      clock.advance(1);
      const [a] = sent;
      if (!a) throw new Error('not started');
      d.agentAck([a.task], []);
      clock.advance(59_000);
      expect(cancels).toEqual([]);
      clock.advance(1_000);
      expect(cancels).toEqual([{ ...a.task, reason: expect.stringMatching(/time limit|TIMEOUT/i) }]);
      expect(d.jobView(a.jobId)?.state).toBe('TIMEOUT');
    } finally {
      await d.close();
      await d.store.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('dispatch pacing', () => {
  // The core starts at most 2 tasks a pass (maxStartsPerPass) and the driver holds a pass while
  // 3 or more assignments are unacknowledged (dispatchWindow): an array of 10 goes out in
  // chunks as agents take them, and a silent agent holds passes back for 250 ms at most.
  it('sends a burst in chunks as acknowledgements make room, and does not wait past 250 ms', async () => {
    const clock = new FakeClock();
    const sent: Assignment[] = [];
    const paced = { ...config, scheduler: { ...config.scheduler, maxStartsPerPass: 2 } };
    const driver = new LiveDriver({ core: makeCore(paced), store: new Store(mkdtempSync(join(dir, 'paced-'))), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, dispatchWindow: 3, clock });
    driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => undefined });
    await driver.agentHello(allNodes, [], []);
    const r = await driver.submit(testJob([{ cores: 1 }], { array: '0-9' }) as unknown as JobSpec);
    expect(r.ok).toBe(true);
    clock.advance(1);
    // Two passes of 2; the third waits: 4 unacknowledged ≥ 3.
    expect(sent).toHaveLength(4);
    clock.advance(100);
    expect(sent).toHaveLength(4);
    // Acknowledging two makes room: the pass runs and sends the next chunk.
    driver.agentAck(sent.slice(0, 2).map((a) => a.task), []);
    clock.advance(1);
    expect(sent).toHaveLength(6);
    // No acknowledgement comes: the pass goes ahead once it has waited 250 ms.
    clock.advance(200);
    expect(sent).toHaveLength(6);
    clock.advance(60);
    expect(sent).toHaveLength(8);
    driver.agentAck(sent.map((a) => a.task), []);
    clock.advance(1);
    expect(sent.map((a) => a.jobId)).toEqual(r.ok ? r.value.jobIds : []);
    await driver.close();
    await driver.store.close();
  });
});

/** Registers every node and submits twelve 8-core tasks: six run (six nodes of 8 cores), six wait. */
async function fillSmallCluster(driver: LiveDriver, clock: FakeClock, sent: readonly Assignment[]): Promise<void> {
  await driver.agentHello(allNodes, [], []);
  clock.advance(5);
  const r = await driver.submit(testJob([{ cores: 8 }], { array: '0-11' }) as unknown as JobSpec);
  expect(r.ok).toBe(true);
  clock.flush();
  expect(sent).toHaveLength(6);
}

/**
 * A driver (minPassGapMs 2) whose core's passes take `passMs` of the FakeClock's time, and
 * `finish(i)` completing the i-th assignment sent.
 */
function timedPasses(prefix: string, observer?: DriverObserver): { clock: FakeClock; sent: Assignment[]; driver: LiveDriver; finish(i: number): Promise<void>; passMs: number } {
  const clock = new FakeClock();
  const sent: Assignment[] = [];
  const core = makeCore(config);
  const schedule = core.schedule.bind(core);
  const t = {
    clock,
    sent,
    passMs: 0,
    driver: new LiveDriver({ core, store: new Store(mkdtempSync(join(dir, prefix))), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 2, clock, ...(observer ? { observer } : {}) }),
    finish: async (i: number): Promise<void> => void (await t.driver.agentCompletion(done(sent[i] as Assignment), new Set(allNodes))),
  };
  core.schedule = (now, limitsAt) => {
    clock.block(t.passMs); // the pass takes this long
    return schedule(now, limitsAt);
  };
  t.driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => undefined });
  return t;
}

describe('the wait between passes', () => {
  // A pass waits after the last as long as that one took, at most minPassGapMs. A fixed 2 ms
  // held each core freed in a burst 1 ms on average, 10 modelled s at --time-scale 1e-4, where
  // the simulator refills it at once.
  it('refills a freed core at the next turn after a quick pass, and waits after a slow one', async () => {
    const t = timedPasses('gap-');
    const { clock, sent, driver, finish } = t;
    try {
      await fillSmallCluster(driver, clock, sent);
      // Quick passes: the cores a completion frees right after one are refilled with time standing still.
      await finish(0);
      clock.flush();
      expect(sent).toHaveLength(7);
      // A slow pass (5 ms): the next waits minPassGapMs after it.
      t.passMs = 5;
      await finish(1);
      clock.flush();
      expect(sent).toHaveLength(8);
      t.passMs = 0;
      await finish(2);
      clock.flush();
      expect(sent).toHaveLength(8);
      clock.advance(1);
      expect(sent).toHaveLength(8);
      clock.advance(1);
      expect(sent).toHaveLength(9);
    } finally {
      await driver.close();
      await driver.store.close();
    }
  });
});

describe('how long a wanted pass waits (observer.passWait, gsched stats)', () => {
  it('reports the wait from the first request to the pass: the turn, the gap after a slow pass, a blocked loop', async () => {
    const waits: number[] = [];
    const t = timedPasses('wait-', { passWait: (ms) => void waits.push(ms) });
    const { clock, sent, driver, finish } = t;
    try {
      await fillSmallCluster(driver, clock, sent);
      waits.length = 0;
      // A quick pass runs at the next turn: no wait.
      await finish(0);
      clock.flush();
      expect(waits).toEqual([0]);
      // After a 5 ms pass the next waits the 2 ms gap; two requests meanwhile are one wait.
      t.passMs = 5;
      await finish(1);
      clock.flush();
      t.passMs = 0;
      await finish(2);
      await finish(3);
      clock.advance(2);
      expect(waits).toEqual([0, 0, 2]);
      // Due at the next turn, but the event loop is blocked 7 ms first: the wait says so.
      await finish(4);
      clock.block(7);
      clock.flush();
      expect(waits).toEqual([0, 0, 2, 7]);
      expect(sent).toHaveLength(11);
    } finally {
      await driver.close();
      await driver.store.close();
    }
  });
});

describe('a pass overdue behind agents\' messages', () => {
  // A backlog of agents' messages is read back to back, and the event loop reaches the queued
  // pass only after the last: the hub asks between messages for the pass once it is overdue.
  it('runs the queued pass between messages once OVERDUE_PASS_MS have passed since the last, and only once', async () => {
    const clock = new FakeClock();
    const sent: Assignment[] = [];
    let passes = 0;
    const driver = new LiveDriver({ core: makeCore(config), store: new Store(mkdtempSync(join(dir, 'overdue-'))), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock, observer: { pass: () => void passes++ } });
    driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => undefined });
    const nodes = new Set(allNodes);
    try {
      await fillSmallCluster(driver, clock, sent);
      const before = passes;
      // A completion queues a pass for the next turn; the turn does not come (the clock is not flushed).
      await driver.agentCompletions([done(sent[0] as Assignment)], nodes);
      driver.passIfOverdue();
      clock.block(OVERDUE_PASS_MS - 1);
      driver.passIfOverdue();
      expect(passes).toBe(before);
      expect(sent).toHaveLength(6);
      clock.block(1);
      driver.passIfOverdue();
      expect(passes).toBe(before + 1);
      expect(sent).toHaveLength(7);
      // The turn comes at last: its pass already ran.
      clock.flush();
      expect(passes).toBe(before + 1);
      // With no pass queued, nothing runs however long since the last.
      clock.block(10 * OVERDUE_PASS_MS);
      driver.passIfOverdue();
      expect(passes).toBe(before + 1);
    } finally {
      await driver.close();
      await driver.store.close();
    }
  });
});

describe('passes stopped at the start cap', () => {
  // The simulator runs a capped pass's remainder at the same instant; the driver runs it in the
  // same turn (for a few ms), one message for the turn, rather than after a timer and the pass gap.
  it('runs the rest of a capped walk at once, the turn\'s chunks one message, with time standing still', async () => {
    const clock = new FakeClock();
    const sent: Assignment[] = [];
    let messages = 0;
    const capped = { ...config, scheduler: { ...config.scheduler, maxStartsPerPass: 2 } };
    const driver = new LiveDriver({ core: makeCore(capped), store: new Store(mkdtempSync(join(dir, 'capped-'))), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 2, dispatchWindow: 100, clock });
    driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => void messages++ });
    await driver.agentHello(allNodes, [], []);
    clock.advance(5);
    const r = await driver.submit(testJob([{ cores: 1 }], { array: '0-9' }) as unknown as JobSpec);
    expect(r.ok).toBe(true);
    const before = messages;
    clock.flush();
    expect(sent.map((a) => a.jobId)).toEqual(r.ok ? r.value.jobIds : []);
    // Five passes of two starts (the last one found no job left to stop at, so it was not
    // capped), in one turn: one flush, as http2 writes them at the turn's end anyway.
    expect(driver.core.runningTasks()).toHaveLength(10);
    expect(messages - before).toBe(1);
    expect(sent.every((a) => a.lateMs === 0)).toBe(true);
    await driver.close();
    await driver.store.close();
  });

  // http2 puts a write on the socket only once the event loop's turn ends, and completions are
  // read only between turns: a chunk's starts must not wait behind many more chunks' passes.
  // Each pass here takes longer than the chain's few ms (slow assignments), so each ends its
  // turn, and its starts go out at its end saying how long they waited since the decision.
  it('lets the event loop turn once a chain of chunks has run a few ms, so their starts leave', async () => {
    const sent: Assignment[] = [];
    /** For each chunk's message, how many messages had gone when the loop next turned. */
    const seenAtNextTurn: number[] = [];
    let messages = 0;
    const capped = { ...config, scheduler: { ...config.scheduler, maxStartsPerPass: 2 } };
    const driver = new LiveDriver({ core: makeCore(capped), store: new Store(mkdtempSync(join(dir, 'capped-turns-'))), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 2, dispatchWindow: 100 });
    const flush = (): void => {
      if (sent.length === 2 * messages) return; // a pass that started nothing
      messages++;
      setImmediate(() => seenAtNextTurn.push(messages));
    };
    const assign = (_n: string, a: Assignment): boolean => {
      sent.push(a);
      for (const until = performance.now() + 2.5; performance.now() < until; ); // a slow pass
      return true;
    };
    driver.setDispatcher({ assign, cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush });
    try {
      await driver.agentHello(allNodes, [], []);
      const r = await driver.submit(testJob([{ cores: 1 }], { array: '0-9' }) as unknown as JobSpec);
      expect(r.ok).toBe(true);
      for (let i = 0; i < 100 && sent.length < 10; i++) await new Promise((res) => setTimeout(res, 5));
      expect(sent).toHaveLength(10);
      await new Promise((res) => setImmediate(res));
      expect(seenAtNextTurn).toEqual([1, 2, 3, 4, 5]);
      // The first start of each pass waited for its second one's 2.5 ms.
      for (let i = 0; i < 10; i += 2) expect(sent[i]?.lateMs).toBeGreaterThanOrEqual(2.4);
    } finally {
      await driver.close();
      await driver.store.close();
    }
  });
});

describe('LiveDriver dispatch audit', () => {
  it('audits attempts an agent ran that the journal never recorded (a pass lost in a crash), and stops them', async () => {
    const other = mkdtempSync(join(tmpdir(), 'gsched-driver-'));
    const entries: AuditInput[] = [];
    const d = new LiveDriver({ core: makeCore(config), store: new Store(other), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock: new FakeClock(), audit: (e) => void entries.push(e) });
    d.setDispatcher({ assign: () => true, cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => undefined });
    try {
      const p = 'p_cccccccccccccccccccccccc';
      expect((await d.consent(p, 'granted')).ok).toBe(true);
      const r = await d.submit({ ...testJob([{ cores: 2 }, { cores: 2 }]), pseudonyms: [p] } as unknown as JobSpec);
      const plain = await d.submit(testJob([{ cores: 2 }]) as unknown as JobSpec);
      if (!r.ok || !plain.ok) throw new Error('not submitted');
      // No pass ran here (the clock never moved): as after a restart that lost the pass's group.
      const [t0, t1] = (d.core.job(r.value.jobIds[0] as number)?.tasks ?? []).map((t) => t.id);
      const t2 = d.core.job(plain.value.jobIds[0] as number)?.tasks[0]?.id;
      if (t0 === undefined || t1 === undefined || t2 === undefined) throw new Error('no tasks');
      const stop = await d.agentHello(allNodes, [{ taskId: t0, attempt: 1 }, { taskId: t2, attempt: 1 }], [{ task: { taskId: t1, attempt: 1 }, outcome: 'OUTCOME_COMPLETED', cpuMs: 1, wallMs: 1, kernel: 'noop', summaryJson: '', error: '' }]);
      expect(stop).toEqual([{ taskId: t0, attempt: 1 }, { taskId: t2, attempt: 1 }]);
      const unrecorded = entries.filter((e) => e.outcome === 'unrecorded');
      expect(unrecorded).toHaveLength(1);
      expect(unrecorded[0]).toMatchObject({ action: 'dispatch', pseudonyms: [p] });
      // The patient's two tasks are named; the task that reads no patient data is not.
      expect(unrecorded[0]?.detail?.tasks).toEqual([`job ${r.value.jobIds[0]} task ${t0} attempt 1`, `job ${r.value.jobIds[0]} task ${t1} attempt 1`]);
    } finally {
      await d.close();
      await d.store.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stops (its fatal handler) when an audit entry of its own cannot be written, as when the journal cannot', async () => {
    const other = mkdtempSync(join(tmpdir(), 'gsched-driver-'));
    const clock = new FakeClock();
    const refused: AuditInput[] = [];
    const d = new LiveDriver({ core: makeCore(config), store: new Store(other), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock, audit: (e) => (refused.push(e), Promise.reject(new Error('audit store full'))) });
    d.setDispatcher({ assign: () => true, cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => undefined });
    const fatal: Error[] = [];
    d.onFatal((err) => void fatal.push(err));
    try {
      await d.agentHello(allNodes, [], []);
      const p = 'p_aaaaaaaaaaaaaaaaaaaaaaaa';
      expect((await d.consent(p, 'granted')).ok).toBe(true);
      // A job that reads no patient data writes no entry: nothing stops.
      expect((await d.submit(testJob([{ cores: 2 }]) as unknown as JobSpec)).ok).toBe(true);
      clock.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(fatal).toEqual([]);
      expect((await d.submit({ ...testJob([{ cores: 2 }]), pseudonyms: [p] } as unknown as JobSpec)).ok).toBe(true);
      clock.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(refused.map((e) => e.action)).toEqual(['dispatch']);
      expect(fatal.map((e) => e.message)).toEqual(['audit store full']);
    } finally {
      await d.close();
      await d.store.close();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('audits a pass\'s dispatches of patient data as one entry naming every task and patient', async () => {
    const other = mkdtempSync(join(tmpdir(), 'gsched-driver-'));
    const clock = new FakeClock();
    const entries: AuditInput[] = [];
    const sent: Assignment[] = [];
    const d = new LiveDriver({ core: makeCore(config), store: new Store(other), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock, audit: (e) => void entries.push(e) });
    d.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, signal: () => undefined, drain: () => undefined, flush: () => undefined });
    try {
      await d.agentHello(allNodes, [], []);
      for (const p of ['p_aaaaaaaaaaaaaaaaaaaaaaaa', 'p_bbbbbbbbbbbbbbbbbbbbbbbb']) expect((await d.consent(p, 'granted')).ok).toBe(true);
      const withPatient = (p: string): JobSpec => ({ ...testJob([{ cores: 2 }, { cores: 2 }]), pseudonyms: [p] }) as unknown as JobSpec;
      const patientJobs: number[] = [];
      for (const p of ['p_aaaaaaaaaaaaaaaaaaaaaaaa', 'p_bbbbbbbbbbbbbbbbbbbbbbbb']) {
        const r = await d.submit(withPatient(p));
        if (!r.ok) throw new Error(r.error.message);
        patientJobs.push(...r.value.jobIds);
      }
      expect((await d.submit(testJob([{ cores: 2 }]) as unknown as JobSpec)).ok).toBe(true); // reads no patient data
      clock.advance(1);
      expect(sent).toHaveLength(5);
      const dispatches = entries.filter((e) => e.action === 'dispatch');
      expect(dispatches).toHaveLength(1);
      const [entry] = dispatches;
      expect(entry?.pseudonyms).toEqual(['p_aaaaaaaaaaaaaaaaaaaaaaaa', 'p_bbbbbbbbbbbbbbbbbbbbbbbb']);
      const named = (entry?.detail?.tasks ?? []) as string[];
      expect(named).toHaveLength(4);
      for (const a of sent.filter((s) => patientJobs.includes(s.jobId))) {
        expect(named).toContainEqual(expect.stringContaining(`job ${a.jobId} task ${a.task.taskId} on ${a.node} attempt 1`));
      }
    } finally {
      await d.close();
      await d.store.close();
      rmSync(other, { recursive: true, force: true });
    }
  });
});
