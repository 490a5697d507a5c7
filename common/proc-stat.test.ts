import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStatCpu, readStatNice } from './proc-stat.js';

describe('readStatCpu', () => {
  it('reads utime+stime and cutime+cstime after a command name holding spaces and parentheses', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gsched-stat-')), 'stat');
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    writeFileSync(path, '4242 (node (worker) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 40 7 3 20 0 11 0\n');
    expect(readStatCpu(path)).toEqual({ ownMs: 2_900, reapedChildrenMs: 100 });
  });

  it('answers null for a file that cannot be read', () => {
    expect(readStatCpu(join(tmpdir(), 'gsched-no-such-dir', 'stat'))).toBeNull();
  });

  it('reads this process on Linux', () => {
    if (process.platform !== 'linux') return;
    expect(readStatCpu('/proc/self/stat')?.ownMs).toBeGreaterThanOrEqual(0);
  });
});

describe('readStatNice', () => {
  it('reads the nice value (field 19) after a command name holding spaces and parentheses', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gsched-stat-')), 'stat');
    // … utime stime cutime cstime priority nice num_threads …
    writeFileSync(path, '4242 (node (worker) 1) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 40 7 3 39 19 11 0\n');
    expect(readStatNice(path)).toBe(19);
  });

  it('answers null for a file that cannot be read or has no such field', () => {
    expect(readStatNice(join(tmpdir(), 'gsched-no-such-dir', 'stat'))).toBeNull();
    const path = join(mkdtempSync(join(tmpdir(), 'gsched-stat-')), 'stat');
    writeFileSync(path, '4242 (short) S 1\n');
    expect(readStatNice(path)).toBeNull();
  });
});
