// frame() packs every value from one arena (records.ts): the framed bytes it returns must stay
// what they were whatever is packed after them, larger than the arena or not, by us or by
// another msgpackr packer in the same thread.
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { frame, unframe } from './records.js';

const small = (i: number): { k: string; now: number; name: string } => ({ k: 'e', now: i, name: `job-${i}` });
const large = (i: number): { k: string; records: unknown[] } => ({ k: 'm', records: Array.from({ length: 5000 }, (_, j) => small(i * 10_000 + j)) });

describe('frame', () => {
  it('returns bytes of their own: later packs, small or past the arena, do not change them', () => {
    const values: unknown[] = [];
    const framed: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      const v = i % 7 === 3 ? large(i) : small(i);
      values.push(v);
      framed.push(frame(i, v));
    }
    expect(framed.some((b) => b.length > 64 * 1024)).toBe(true);
    framed.forEach((b, i) => expect(unframe('t', i, b)).toEqual(values[i]));
  });

  it('leaves another packer in the thread its own bytes', () => {
    const other = new Packr({ useRecords: false });
    const mine = frame(1, small(1));
    const theirs = other.pack({ theirs: 'x'.repeat(100) });
    const copy = Buffer.from(theirs);
    frame(2, large(2));
    frame(3, small(3));
    expect(Buffer.compare(theirs, copy)).toBe(0);
    expect(unframe('t', 1, mine)).toEqual(small(1));
  });
});
