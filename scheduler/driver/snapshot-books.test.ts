// A snapshot that an accepted event triggers copies the driver's books after that event is
// noted: a task's result that arrives with the event that starts a snapshot survives a restart
// from it (the event sits before the snapshot's marker and is never replayed). This lost a
// result now and then in the fault test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../common/index.js';
import type { Assignment } from '../../proto/index.js';
import type { JobSpec } from '../core/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob, waitFor } from '../testing/index.js';
import { LiveDriver } from './driver.js';
import { makeCore } from './make-core.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-snapbooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = loadClusterConfig(SMALL_CLUSTER());

function open(sent: Assignment[]): LiveDriver {
  // A snapshot after every event: the completion below starts one.
  const d = new LiveDriver({ core: makeCore(config), coreFor: makeCore, store: new Store(dir), log: pino({ level: 'silent' }), timeScale: 1, forgetAfterMs: 3_600_000, minPassGapMs: 0, snapshotEveryRecords: 1 });
  d.setDispatcher({ assign: (_n, a) => (sent.push(a), true), cancel: () => undefined, drain: () => undefined, flush: () => undefined });
  return d;
}

describe('a snapshot started by an event', () => {
  it('holds that event’s task result', async () => {
    const sent: Assignment[] = [];
    const d = open(sent);
    await d.agentHello(config.nodes.map((n) => n.name), [], []);
    const sub = await d.submit(testJob([{ cores: 1 }]) as unknown as JobSpec);
    const id = sub.ok ? (sub.value.jobIds[0] as number) : -1;
    await waitFor('the task to be sent', () => sent.length >= 1);
    const a = sent[0] as Assignment;
    await d.snapshot();
    await d.agentCompletion({ task: a.task, outcome: 'OUTCOME_COMPLETED', cpuMs: 1, wallMs: 2, kernel: 'noop', summaryJson: '{}', error: '' }, new Set([a.node]));
    await d.snapshot(); // the one the completion started, written
    expect(d.jobView(id)?.results).toHaveLength(1);
    await d.close();
    await d.store.close();
    const again = open([]);
    expect(again.jobView(id)).toMatchObject({ state: 'COMPLETED', results: [{ taskId: a.task.taskId, outcome: 'completed' }] });
    await again.close();
    await again.store.close();
  });
});
