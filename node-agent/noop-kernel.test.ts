import { describe, expect, it } from 'vitest';
import type { KernelRequest, KernelResult } from './kernel-types.js';
import { runNoop, runNoopChunk } from './noop-kernel.js';

const req = (taskId: number, kernel = ''): KernelRequest => ({ kernel, taskId, attempt: 1, jobId: 1, cores: 1, memMb: 100 });

describe('noop kernel in chunks', () => {
  it('gives each request its own result, as runNoop does, with the chunk CPU time shared out', () => {
    const out = runNoopChunk([req(1), req(2, 'merge'), req(3)]);
    const one = runNoop(req(2, 'merge'));
    expect(out).toHaveLength(3);
    const [a, b, c] = out as KernelResult[];
    expect(b?.summary).toEqual(one.summary);
    expect(a?.summary.checksum).not.toBe(c?.summary.checksum);
    const shares = new Set(out.map((r) => (r as KernelResult).cpuMs));
    expect(shares.size).toBe(1);
    expect([...shares][0]).toBeGreaterThanOrEqual(0);
  });

  it('fails only the request whose kernel threw', () => {
    const run = (r: KernelRequest): KernelResult => {
      if (r.taskId === 2) throw new Error('kernel 2 broke');
      return runNoop(r);
    };
    const out = runNoopChunk([req(1), req(2), req(3)], run);
    expect(out[1]).toBeInstanceOf(Error);
    expect((out[1] as Error).message).toBe('kernel 2 broke');
    expect(out[0]).not.toBeInstanceOf(Error);
    expect(out[2]).not.toBeInstanceOf(Error);
  });
});
