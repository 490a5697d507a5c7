// The agent's reports (PROTOCOL.md section 6): a lone acknowledgement goes at once, and within
// the report gap the acknowledgements of later assignments ride with the completions. A real
// NodeAgent against a minimal scheduler side over real gRPC on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentMessage } from '../proto/index.js';
import { openFakeScheduler, testAssignment, waitFor, type FakeScheduler } from '../scheduler/testing/index.js';

/** Wide enough that the test's next assignment always lands inside it. */
const GAP_MS = 1500;

let fake: FakeScheduler;
/** What the agent sent after its hello, in order (heartbeats aside). */
const sent: AgentMessage[] = [];
/** The same, from an agent welcomed by an older scheduler (no features listed). */
let older: FakeScheduler;
const sentToOlder: AgentMessage[] = [];

beforeAll(async () => {
  fake = await openFakeScheduler(
    (m) => {
      if (m.payload !== 'heartbeat') sent.push(m);
    },
    { reportGapMs: GAP_MS },
  );
  older = await openFakeScheduler(
    (m) => {
      if (m.payload !== 'heartbeat') sentToOlder.push(m);
    },
    { reportGapMs: GAP_MS },
    { features: [], version: '' },
  );
  await Promise.all([fake.welcomed, older.welcomed]);
});

afterAll(() => Promise.all([fake.close(), older.close()]));

/** Each message as the task ids it acknowledges (accepted, refused) and completes. */
const shape = (m: AgentMessage): { accepted: number[]; refused: number[]; completed: number[] } => {
  const ack = m.payload === 'ack' && 'ack' in m ? m.ack : m.payload === 'completions' && 'completions' in m ? m.completions.ack : null;
  const completed = m.payload === 'completions' && 'completions' in m ? m.completions.items.map((c) => c.task.taskId) : [];
  return { accepted: ack?.accepted.map((t) => t.taskId) ?? [], refused: ack?.refused.map((r) => r.task.taskId) ?? [], completed };
};

/**
 * Task 1 (no hold) is acknowledged alone at once; it completes right after, and its completion
 * waits out the gap. Tasks 2 and 3 (refused: a node not hosted here) arrive meanwhile, and task
 * 2 completes. Resolves with how long the first acknowledgement took, once `count` messages came.
 */
async function playReports(to: FakeScheduler, got: AgentMessage[], count: number): Promise<number> {
  await new Promise((r) => setTimeout(r, GAP_MS)); // past the welcome's report
  const t0 = Date.now();
  to.send({ assign: { tasks: [testAssignment(1)] } });
  await waitFor('the first acknowledgement', () => got.length >= 1);
  const first = Date.now() - t0;
  to.send({ assign: { tasks: [testAssignment(2)] } });
  to.send({ assign: { tasks: [testAssignment(3, { node: 'c9-n001' })] } });
  await waitFor('the report', () => got.length >= count);
  // And nothing else comes (task 2's completion went in that report, not one of its own).
  await new Promise((r) => setTimeout(r, 100));
  return first;
}

describe('NodeAgent reports', () => {
  it('sends a lone acknowledgement at once, then the next ones with the completions', async () => {
    const first = await playReports(fake, sent, 2);
    expect(sent.map(shape)).toEqual([
      { accepted: [1], refused: [], completed: [] },
      { accepted: [2], refused: [3], completed: [1, 2] },
    ]);
    expect(sent.map((m) => m.payload)).toEqual(['ack', 'completions']);
    expect(first).toBeLessThan(GAP_MS); // not held for the gap
  });

  it('acknowledges in Ack messages of their own to a scheduler whose welcome lists no completions-ack', async () => {
    // An older scheduler ignores Completions.ack: the acknowledgements go just before the
    // completions they would have ridden with, in the same report.
    const first = await playReports(older, sentToOlder, 3);
    expect(sentToOlder.map(shape)).toEqual([
      { accepted: [1], refused: [], completed: [] },
      { accepted: [2], refused: [3], completed: [] },
      { accepted: [], refused: [], completed: [1, 2] },
    ]);
    expect(sentToOlder.map((m) => m.payload)).toEqual(['ack', 'ack', 'completions']);
    expect(first).toBeLessThan(GAP_MS);
  });
});
