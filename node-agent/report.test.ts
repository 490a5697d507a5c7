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

beforeAll(async () => {
  fake = await openFakeScheduler(
    (m) => {
      if (m.payload !== 'heartbeat') sent.push(m);
    },
    { reportGapMs: GAP_MS },
  );
  await fake.welcomed;
});

afterAll(() => fake.close());

/** Each message as the task ids it acknowledges (accepted, refused) and completes. */
const shape = (m: AgentMessage): { accepted: number[]; refused: number[]; completed: number[] } => {
  const ack = m.payload === 'ack' && 'ack' in m ? m.ack : m.payload === 'completions' && 'completions' in m ? m.completions.ack : null;
  const completed = m.payload === 'completions' && 'completions' in m ? m.completions.items.map((c) => c.task.taskId) : [];
  return { accepted: ack?.accepted.map((t) => t.taskId) ?? [], refused: ack?.refused.map((r) => r.task.taskId) ?? [], completed };
};

describe('NodeAgent reports', () => {
  it('sends a lone acknowledgement at once, then the next ones with the completions', async () => {
    // Task 1 (no hold) is acknowledged alone at once; it completes right after, and its
    // completion waits out the gap. Tasks 2 and 3 (refused: a node not hosted here) arrive
    // meanwhile, and task 2 completes: one message then carries all of it.
    await new Promise((r) => setTimeout(r, GAP_MS)); // past the welcome's report
    const t0 = Date.now();
    fake.send({ assign: { tasks: [testAssignment(1)] } });
    await waitFor('the first acknowledgement', () => sent.length >= 1);
    const first = Date.now() - t0;
    fake.send({ assign: { tasks: [testAssignment(2)] } });
    fake.send({ assign: { tasks: [testAssignment(3, { node: 'c9-n001' })] } });
    await waitFor('the report', () => sent.length >= 2);
    expect(sent.map(shape)).toEqual([
      { accepted: [1], refused: [], completed: [] },
      { accepted: [2], refused: [3], completed: [1, 2] },
    ]);
    expect(sent[0]?.payload).toBe('ack');
    expect(first).toBeLessThan(GAP_MS); // not held for the gap
    // And nothing else came (task 2's completion went in that report, not one of its own).
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).toHaveLength(2);
  });
});
