// An assignment's `lateMs` (PROTOCOL.md section 10): the agent holds a task's cores from the
// scheduler's start decision, so it deducts the wall time the assignment waited before it was
// sent. A real NodeAgent against a minimal scheduler side over real gRPC on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Completion } from '../proto/index.js';
import { openFakeScheduler, testAssignment, waitFor, type FakeScheduler } from '../scheduler/testing/index.js';

let fake: FakeScheduler;
const completions: Completion[] = [];

beforeAll(async () => {
  fake = await openFakeScheduler((m) => {
    if (m.payload === 'completions' && 'completions' in m) completions.push(...m.completions.items);
  });
  await fake.welcomed;
});

afterAll(() => fake.close());

const task = (taskId: number, durationMs: number, lateMs?: number) => testAssignment(taskId, { durationMs, ...(lateMs === undefined ? {} : { lateMs }) });

describe('NodeAgent holds from the start decision', () => {
  it('deducts lateMs from the hold, not below zero, and holds in full without it', async () => {
    // Time scale 1: task 1 holds 10 minutes; task 2 waited 9 min 59.9 s before it was sent; task
    // 3 waited longer than its whole run. Tasks 2 and 3 complete at once, task 1 is still held.
    fake.send({ assign: { tasks: [task(1, 600_000), task(2, 600_000, 599_900), task(3, 60_000, 120_000)] } });
    await waitFor('the late tasks to complete', () => completions.length >= 2, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(completions.map((c) => c.task.taskId).sort()).toEqual([2, 3]);
    expect(completions.every((c) => c.outcome === 'OUTCOME_COMPLETED')).toBe(true);
    // Task 2's wall: at least the 100 ms left of its hold.
    expect(completions.find((c) => c.task.taskId === 2)?.wallMs).toBeGreaterThanOrEqual(95);
    expect(fake.agent.runningCount).toBe(1);
  });
});
