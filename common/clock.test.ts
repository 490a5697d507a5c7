import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';

describe('FakeClock', () => {
  it('runs due timers in time order as it advances, repeats intervals, and skips cancelled ones', () => {
    const c = new FakeClock(100);
    const seen: string[] = [];
    c.after(30, () => seen.push(`b@${c.now()}`));
    c.after(10, () => seen.push(`a@${c.now()}`));
    const dropped = c.after(20, () => seen.push('never'));
    const tick = c.every(25, () => seen.push(`tick@${c.now()}`));
    c.soon(() => seen.push(`soon@${c.now()}`));
    dropped.cancel();
    c.advance(50);
    expect(seen).toEqual(['soon@100', 'a@110', 'tick@125', 'b@130', 'tick@150']);
    expect(c.now()).toBe(150);
    tick.cancel();
    c.advance(100);
    expect(seen).toHaveLength(5);
    expect(c.pending).toBe(0);
  });

  it('runs a timer set by a timer in the same advance when it falls due, and soon callbacks before time moves on', () => {
    const c = new FakeClock();
    const seen: number[] = [];
    c.after(5, () => {
      seen.push(c.now());
      c.soon(() => seen.push(-c.now()));
      c.after(5, () => seen.push(c.now()));
    });
    c.advance(10);
    expect(seen).toEqual([5, -5, 10]);
  });

  it('refuses to go back in time', () => {
    expect(() => new FakeClock().advance(-1)).toThrow(/ms must be ≥ 0/);
  });
});
