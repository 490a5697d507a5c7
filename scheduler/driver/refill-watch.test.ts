import { describe, expect, it } from 'vitest';
import { RefillWatch } from './refill-watch.js';

describe('RefillWatch', () => {
  it('splits free cores while work waits into what the last pass left and what was freed since, by state', () => {
    const w = new RefillWatch(0, 'unused');
    w.started(1, 10);
    w.started(2, 20);
    // 100 cores, 40 used, 20,000 pending: 60 left free by an uncapped pass.
    w.passed(0, 100, 40, 20_000, false);
    w.note(0, 'idle');
    // At 10 ms task 1 (10 cores) ends; a pass is queued behind the gap until 12 ms.
    w.ended(10, 1);
    w.note(10, 'gap');
    w.note(12, 'pass');
    // The pass starts 10 cores again and finds 60 free: that is what it leaves.
    w.passed(13, 100, 40, 20_000, false);
    w.note(13, 'idle');
    w.note(20, 'idle');
    const f = w.figures();
    expect(f.waiting_wall_s).toBe(0.02);
    expect(f.left_by_pass_share).toBe(0.6); // 60 of 100 cores the whole 20 ms
    expect(f.freed_share_by_state.gap).toBe(0.01); // 10 cores for 2 of 20 ms
    expect(f.freed_share_by_state.pass).toBe(0.005); // 10 cores for 1 ms
    expect(f.free_share).toBe(0.615);
    expect(f.wall_s_by_state).toEqual({ pass: 0.001, deferred: 0, gap: 0.002, turn: 0, chain: 0, idle: 0.017 });
  });

  it('counts nothing while fewer than 10,000 tasks wait, and takes no leftover from a capped pass', () => {
    const w = new RefillWatch(0, 'unused');
    // A capped pass: its free cores are the remainder's to fill, not a leftover.
    w.passed(0, 100, 50, 9_999, true);
    w.note(0, 'chain');
    w.note(50, 'idle');
    expect(w.figures().waiting_wall_s).toBe(0);
    w.passed(50, 100, 50, 10_000, true);
    w.note(50, 'chain');
    w.note(60, 'pass');
    // The remainder fills 30; 20 stay free: the last uncapped pass left them.
    w.passed(61, 100, 80, 10_000, false);
    w.note(61, 'idle');
    w.note(70, 'idle');
    const f = w.figures();
    expect(f.freed_share_by_state.chain).toBe(0.25); // 50 cores for 10 of 20 ms
    expect(f.freed_share_by_state.pass).toBe(0.025);
    expect(f.left_by_pass_share).toBe(0.09); // 20 cores for 9 of 20 ms
  });
});
