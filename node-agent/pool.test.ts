// The agent's kernel pool: genome kernels run in worker threads through the kernels package in
// `real` mode, everything else (and everything in `noop` mode) runs the noop kernel inline.
import { describe, expect, it } from 'vitest';
import { createKernelPool } from './pool.js';

const req = (kernel: string, taskId: number) => ({ kernel, taskId, attempt: 1, jobId: 1, cores: 1, memMb: 100 });

describe('createKernelPool', () => {
  it('runs a genome kernel on synthetic data seeded by the task id, and noop for the rest (real)', async () => {
    const pool = createKernelPool({ mode: 'real', threads: 1, scale: 0.01 });
    try {
      const [qc, again, merge] = await Promise.all([pool.run(req('qc', 7)), pool.run(req('qc', 7)), pool.run(req('merge', 8))]);
      expect(qc.kernel).toBe('qc');
      expect(qc.summary).toMatchObject({ job: 'qc', seed: 7, scale: 0.01 });
      expect(qc.summary.reads).toBeGreaterThan(0);
      // Same task, same data: the kernel's findings repeat.
      expect(again.summary.meanBaseQuality).toBe(qc.summary.meanBaseQuality);
      expect(merge).toMatchObject({ kernel: 'noop', summary: { requested: 'merge' } });
    } finally {
      await pool.close();
    }
  });

  it('runs every request as noop, the requests of a turn as one chunk, each with its own result (noop)', async () => {
    const pool = createKernelPool({ mode: 'noop', threads: 2 });
    try {
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => pool.run(req(i % 2 ? 'align' : '', i))));
      expect(results.every((r) => r.kernel === 'noop')).toBe(true);
      expect(results.filter((r) => r.summary.requested === 'align')).toHaveLength(150);
      // Checksums depend on the task id: the results were not mixed up between tasks.
      const again = await pool.run(req('', 5));
      expect(again.summary.checksum).toBe(results[5]?.summary.checksum);
      expect(new Set(results.map((r) => r.summary.checksum)).size).toBeGreaterThan(290);
    } finally {
      await pool.close();
    }
  });

  it('gives each request arriving one turn at a time its own result (noop)', async () => {
    const pool = createKernelPool({ mode: 'noop', threads: 2 });
    try {
      const alone = await pool.run(req('', 42));
      const runs: Promise<Awaited<ReturnType<typeof pool.run>>>[] = [];
      for (let i = 0; i < 200; i++) {
        runs.push(pool.run(req(i % 3 ? '' : 'call', i)));
        await new Promise<void>((r) => setImmediate(r));
      }
      const results = await Promise.all(runs);
      expect(results.filter((r) => r.summary.requested === 'call')).toHaveLength(67);
      expect(results[42]?.summary.checksum).toBe(alone.summary.checksum);
      expect(new Set(results.map((r) => r.summary.checksum)).size).toBeGreaterThan(190);
    } finally {
      await pool.close();
    }
  });
});
