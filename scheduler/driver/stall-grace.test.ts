// Time limits and a blocked event loop: while the scheduler's loop is blocked (a snapshot copy,
// a long pass) agents' completions wait unread, but the modelled clock runs on. The first pass
// after the block must not kill as TIMEOUT a task that finished in time; a task that really
// overran is still killed once the grace for the block is over. And a restart replays the
// deferred pass to the same state. Real core, real lmdb, FakeClock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Assignment } from '../../proto/index.js';
import { FakeClock, loadClusterConfig } from '../../common/index.js';
import type { JobSpec } from '../core/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import { LiveDriver } from './driver.js';
import { makeCore } from './make-core.js';
import { STALL_CATCH_UP_MS } from './stall-watch.js';

const root = mkdtempSync(join(tmpdir(), 'gsched-stall-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const config = loadClusterConfig(SMALL_CLUSTER());
const nodes = config.nodes.map((n) => n.name);

function open(dir: string): { driver: LiveDriver; clock: FakeClock; sent: Assignment[]; cancels: string[] } {
  const clock = new FakeClock();
  const sent: Assignment[] = [];
  const cancels: string[] = [];
  const driver = new LiveDriver({ core: makeCore(config), store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, clock });
  driver.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: (_n, _t, reason) => void cancels.push(reason), signal: () => undefined, drain: () => undefined, flush: () => undefined });
  return { driver, clock, sent, cancels };
}

/** One task of 30 s with a 60 s limit, started. */
async function started(dir: string): Promise<ReturnType<typeof open> & { a: Assignment }> {
  const o = open(dir);
  await o.driver.agentHello(nodes, [], []);
  const job = { ...testJob([{ cores: 2 }]), tasks: [{ cores: 2, memMb: 1024, durationMs: 30_000, timeLimitMs: 60_000 }] };
  const r = await o.driver.submit(job as unknown as JobSpec);
  if (!r.ok) throw new Error(r.error.message);
  o.clock.advance(1);
  const a = o.sent[0];
  if (!a) throw new Error('not started');
  return { ...o, a };
}

describe('time limits after a blocked event loop', () => {
  it('do not kill a task whose completion waited unread behind the block', async () => {
    const dir = mkdtempSync(join(root, 'a-'));
    const { driver, clock, cancels, a } = await started(dir);
    clock.advance(20_000);
    // The loop is blocked for two minutes: the task's limit passes meanwhile, its report waits.
    clock.block(120_000);
    clock.advance(1); // the timers run first, before any socket is read: the pass for the deadline
    expect(cancels).toEqual([]);
    expect(driver.core.task(a.task.taskId)?.state).toBe('RUNNING');
    await driver.agentCompletion({ task: a.task, outcome: 'OUTCOME_COMPLETED', cpuMs: 1, wallMs: 30_000, kernel: 'noop', summaryJson: '', error: '' }, new Set(nodes));
    expect(driver.jobView(a.jobId)?.state).toBe('COMPLETED');
    await driver.store.flushed();
    const before = driver.jobView(a.jobId);
    await driver.close();
    await driver.store.close();
    // The journal says up to when that pass enforced limits: a restart reaches the same end.
    const again = open(dir);
    const after = again.driver.jobView(a.jobId);
    expect(after?.state).toBe('COMPLETED');
    expect(after?.tasks).toEqual(before?.tasks);
    await again.driver.close();
    await again.driver.store.close();
  });

  it('still kill a task that overran once the block is forgiven', async () => {
    const dir = mkdtempSync(join(root, 'b-'));
    const { driver, clock, cancels, a } = await started(dir);
    clock.advance(20_000);
    clock.block(120_000);
    clock.advance(1);
    expect(driver.core.task(a.task.taskId)?.state).toBe('RUNNING');
    // No report comes: the loop runs freely for as long as it was blocked, and a second more.
    clock.advance(120_000 + STALL_CATCH_UP_MS + 100);
    expect(driver.jobView(a.jobId)?.state).toBe('TIMEOUT');
    expect(cancels).toHaveLength(1);
    await driver.close();
    await driver.store.close();
  });

  it('kill on time when the loop was not blocked', async () => {
    const dir = mkdtempSync(join(root, 'c-'));
    const { driver, clock, a } = await started(dir);
    clock.advance(60_001);
    expect(driver.jobView(a.jobId)?.state).toBe('TIMEOUT');
    await driver.close();
    await driver.store.close();
  });
});
