// The piscina pool for real: worker threads load the compiled worker from dist/.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormatError, PairingError, TaskParamError } from './errors.js';
import { writeFastq } from './fastq.js';
import { simulateDataset, truthRecords } from './pipeline.js';
import type { Dataset } from './pipeline.js';
import { alignPairs, callLines, createKernelPool, runKernelTask, shareReference, workerFilename } from './pool.js';
import type { KernelPool } from './pool.js';
import { scoreCalls, scoreSamText, variantKeys } from './evaluate.js';
import { parseVcf, vcfHeader } from './vcf.js';

let pool: KernelPool;
let ds: Dataset;
const enc = new TextEncoder();

beforeAll(() => {
  pool = createKernelPool({ threads: 2 });
  ds = simulateDataset({ seed: 5, genomeLength: 80_000 });
});
afterAll(async () => {
  await pool.destroy();
});

describe('kernel pool', () => {
  it('resolves the compiled worker', () => {
    expect(workerFilename()).toMatch(/dist\/node-agent\/kernels\/worker\.js$/);
    expect(existsSync(workerFilename())).toBe(true);
  });

  it('runs synthetic tasks and returns a small summary', async () => {
    const [align, call, qc] = await Promise.all([
      runKernelTask(pool, { kind: 'align', seed: 3, scale: 0.3 }),
      runKernelTask(pool, { kind: 'call', seed: 3, scale: 0.3 }),
      runKernelTask(pool, { kind: 'qc', seed: 3, scale: 0.2 }),
    ]);
    expect(align).toMatchObject({ kind: 'synthetic', job: 'align', genomeLength: 30_000, reads: 6000 });
    expect(align.correctFrac).toBeGreaterThan(0.95);
    expect(align.cpuMs).toBeGreaterThanOrEqual(0);
    expect(call.variants).toBeGreaterThan(15);
    expect(call.snpF1).toBeGreaterThan(0.9);
    expect(qc.meanBaseQuality).toBeGreaterThan(20);
    expect(qc.gcFraction).toBeGreaterThan(0.3);
    await expect(runKernelTask(pool, { kind: 'align', seed: 1, scale: -1 })).rejects.toThrow(TaskParamError);
  });

  it('sizes the data by the scale down to a 500 bp genome, so a smaller scale is less work', async () => {
    const [small, tiny, below] = await Promise.all([
      runKernelTask(pool, { kind: 'align', seed: 4, scale: 0.05 }),
      runKernelTask(pool, { kind: 'call', seed: 4, scale: 0.005 }),
      runKernelTask(pool, { kind: 'align', seed: 4, scale: 0.001 }),
    ]);
    expect(small).toMatchObject({ genomeLength: 5000, reads: 1000 });
    expect(tiny).toMatchObject({ genomeLength: 500, reads: 100 });
    expect(tiny.correctFrac).toBeGreaterThan(0.95);
    expect(below).toMatchObject({ genomeLength: 500, reads: 100 }); // the floor: the read simulator's fragments need 500 bp
  });

  it('aligns shards in workers, merges them sorted, calls regions and gathers', async () => {
    const ref = shareReference([ds.ref]);
    const a = await alignPairs(pool, ref, enc.encode(writeFastq(ds.reads.r1)), enc.encode(writeFastq(ds.reads.r2)), { file1: 'r1.fq', file2: 'r2.fq', shardPairs: 2000 });
    expect(a.reads).toBe(ds.reads.r1.length * 2);
    const pos = a.lines.map((l) => Number(l.split('\t')[3]));
    expect(pos.every((p, i) => i === 0 || p >= pos[i - 1]!)).toBe(true);
    expect(scoreSamText(a.lines.join('\n')).correctFrac).toBeGreaterThan(0.98);
    const c = await callLines(pool, ref, a.lines, { regionSize: 20_000 });
    const calls = parseVcf(vcfHeader([{ name: ds.ref.name, length: ds.ref.seq.length }], 't') + c.lines.join('\n'));
    const sc = scoreCalls(variantKeys(truthRecords(ds.truth), [ds.ref]), variantKeys(calls, [ds.ref]));
    expect(sc.snp.f1).toBeGreaterThan(0.97);
    // Regions are gathered in order.
    expect(calls.every((v, i) => i === 0 || v.pos >= calls[i - 1]!.pos)).toBe(true);
  });

  it('brings typed input errors back from the worker with file and line', async () => {
    const ref = shareReference([ds.ref]);
    const good = writeFastq(ds.reads.r1.slice(0, 10));
    const bad = good.replace(/\n\+\n/, '\n-\n');
    const err = await alignPairs(pool, ref, enc.encode(bad), enc.encode(writeFastq(ds.reads.r2.slice(0, 10))), { file1: 'a.fq', file2: 'b.fq', shardPairs: 4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).file).toBe('a.fq');
    expect((err as FormatError).line).toBe(3);
    // An error in a later shard still names the line in the whole file.
    const late = good.split('\n');
    late[4 * 7 + 1] = 'ACGTX';
    const err2 = await alignPairs(pool, ref, enc.encode(late.join('\n')), enc.encode(writeFastq(ds.reads.r2.slice(0, 10))), { file1: 'a.fq', file2: 'b.fq', shardPairs: 3 }).catch((e: unknown) => e);
    expect((err2 as FormatError).line).toBe(4 * 7 + 2);
    await expect(alignPairs(pool, ref, enc.encode(good), enc.encode(writeFastq(ds.reads.r2.slice(0, 9))), { file1: 'a.fq', file2: 'b.fq' })).rejects.toThrow(PairingError);
  });
});
