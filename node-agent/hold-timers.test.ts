import { describe, expect, it } from 'vitest';
import { HoldTimers } from './hold-timers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('HoldTimers', () => {
  it('ends each hold at its due millisecond, in due order, not before', async () => {
    const ended: { seq: number; at: number; due: number }[] = [];
    const added: { seq: number; due: number }[] = [];
    const holds = new HoldTimers<{ seq: number; due: number }>((x) => ended.push({ ...x, at: performance.now() }));
    const add = (due: number): void => {
      const x = { seq: added.length, due };
      added.push(x);
      holds.add(due, x);
    };
    const t0 = performance.now();
    // Out of order, with shared and fractional due times, and one added once the timer is armed.
    for (const d of [60, 20.3, 40, 20.4, 5, 80.9, 40]) add(t0 + d);
    expect(holds.size).toBe(7);
    await sleep(2);
    add(performance.now() + 1);
    await sleep(120);
    // Due order, to the millisecond; within a millisecond, the order they were added in.
    const expected = [...added].sort((a, b) => Math.round(a.due) - Math.round(b.due) || a.seq - b.seq).map((x) => x.seq);
    expect(ended.map((e) => e.seq)).toEqual(expected);
    // Nearest millisecond, as Node's own timers: never more than a millisecond early.
    for (const e of ended) expect(e.at).toBeGreaterThanOrEqual(e.due - 1);
    expect(holds.size).toBe(0);
  });

  it('re-arms for an earlier hold and forgets everything on clear', async () => {
    const ended: number[] = [];
    const holds = new HoldTimers<number>((x) => ended.push(x));
    holds.add(performance.now() + 50, 1);
    holds.add(performance.now() + 5, 2);
    await sleep(25);
    expect(ended).toEqual([2]);
    holds.clear();
    await sleep(40);
    expect(ended).toEqual([2]);
    expect(holds.size).toBe(0);
  });
});
