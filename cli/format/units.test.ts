import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, formatMemMb, parseMemMb, parseTimeLimit } from './units.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseTimeLimit (Slurm formats)', () => {
  it.each([
    ['30', 30 * M],
    ['90', 90 * M],
    ['30:15', 30 * M + 15 * S],
    ['4:00:00', 4 * H],
    ['01:02:03', H + 2 * M + 3 * S],
    ['2-00', 2 * D],
    ['1-12', D + 12 * H],
    ['2-12:30', 2 * D + 12 * H + 30 * M],
    ['1-00:00:01', D + S],
  ])('%s', (text, ms) => {
    expect(parseTimeLimit(text)).toBe(ms);
  });

  it.each(['', '0', '0:00', 'abc', '1:2:3:4', '10:60', '1:60:00', '1-2:60', '-5', '1.5', '2-', '4h'])('refuses %j', (text) => {
    expect(parseTimeLimit(text)).toBeNull();
  });
});

describe('parseMemMb', () => {
  it.each([
    ['500M', 500],
    ['4G', 4096],
    ['4g', 4096],
    ['4GB', 4096],
    ['1.5G', 1536],
    ['1T', 1024 * 1024],
    ['2048K', 2],
    ['1000', 1000],
  ])('%s', (text, mb) => {
    expect(parseMemMb(text)).toBe(mb);
  });

  it.each(['4X', '', 'G', '-1G', '0', '0M', '4 G B', '1e3M'])('refuses %j', (text) => {
    expect(parseMemMb(text)).toBeNull();
  });
});

describe('formatMemMb', () => {
  it('uses the largest unit that is exact', () => {
    expect(formatMemMb(500)).toBe('500M');
    expect(formatMemMb(4096)).toBe('4G');
    expect(formatMemMb(262144)).toBe('256G');
    expect(formatMemMb(1572864)).toBe('1536G');
    expect(formatMemMb(2 * 1024 * 1024)).toBe('2T');
  });
  it('round-trips through parseMemMb', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 * 1024 * 1024 }), (mb) => parseMemMb(formatMemMb(mb)) === mb));
  });
});

describe('formatDuration', () => {
  it('prints like squeue', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(5 * S)).toBe('0:05');
    expect(formatDuration(12 * M + 34 * S)).toBe('12:34');
    expect(formatDuration(H + 2 * M + 3 * S)).toBe('1:02:03');
    expect(formatDuration(2 * D + 3 * H + 4 * M + 5 * S)).toBe('2-03:04:05');
    expect(formatDuration(-5 * S)).toBe('0:00');
  });
  it('reads back as the same whole seconds for at least a minute', () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 400 * 86_400 }), (sec) => {
        const text = formatDuration(sec * S);
        // H:MM:SS and D-HH:MM:SS are Slurm time formats; M:SS is MM:SS.
        return parseTimeLimit(text) === sec * S;
      }),
    );
  });
});
