// gsched kernel simulate|align|call: the genome-analysis kernels on ordinary files, run in a
// local worker pool exactly as a node agent runs them.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { printJson } from '../output.js';
import {
  alignPairs,
  callLines,
  createKernelPool,
  KernelError,
  loadReference,
  parseSam,
  readInput,
  samHeader,
  shareReference,
  simulateDataset,
  sortSamLines,
  truthRecords,
  vcfHeader,
  writeFasta,
  writeFastq,
  writeVcf,
} from '../../node-agent/kernels/index.js';
import type { KernelPool } from '../../node-agent/kernels/index.js';

function intOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`, 2);
    return n;
  };
}

/** Bad input is the operator's to fix: one line, exit 2. */
async function asCli<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof KernelError) throw new CliError(err.message, 2);
    throw err;
  }
}

function emit(text: string, out: string | undefined): void {
  if (out === undefined) process.stdout.write(text);
  else writeFileSync(out, text);
}

async function withPool<T>(threads: number, fn: (pool: KernelPool) => Promise<T>): Promise<T> {
  const pool = createKernelPool({ threads });
  try {
    return await fn(pool);
  } finally {
    await pool.destroy();
  }
}

export function registerKernelCommands(program: Command): void {
  const kernel = program.command('kernel').description('genome-analysis kernels: simulate data with truth, align reads, call variants');

  kernel
    .command('simulate')
    .description('write a synthetic reference (FASTA), paired reads (FASTQ r1/r2) and the truth VCF')
    .option('--seed <n>', 'PRNG seed', intOption('seed', 0, 0xffffffff), 1)
    .option('--length <bp>', 'reference length', intOption('length', 10_000, 500_000_000), 1_000_000)
    .option('--pairs <n>', 'read pairs (default: 30x coverage)', intOption('pairs', 1))
    .option('-o, --out <prefix>', 'output prefix: <prefix>.fa, <prefix>_r1.fq, <prefix>_r2.fq, <prefix>.truth.vcf', 'sim')
    .option('--json', 'print the summary as JSON (it always is: accepted for symmetry with the other commands)')
    .action(async (o: { seed: number; length: number; pairs?: number; out: string }) => {
      const ds = simulateDataset({ seed: o.seed, genomeLength: o.length, ...(o.pairs !== undefined ? { pairs: o.pairs } : {}) });
      const files = { ref: `${o.out}.fa`, r1: `${o.out}_r1.fq`, r2: `${o.out}_r2.fq`, truth: `${o.out}.truth.vcf` };
      writeFileSync(files.ref, writeFasta([ds.ref]));
      writeFileSync(files.r1, writeFastq(ds.reads.r1));
      writeFileSync(files.r2, writeFastq(ds.reads.r2));
      writeFileSync(files.truth, writeVcf([ds.ref], truthRecords(ds.truth), 'gsched-kernel-simulate'));
      process.stdout.write(`${JSON.stringify({ ...files, genomeLength: o.length, pairs: ds.reads.r1.length, variants: ds.truth.length })}\n`);
    });

  kernel
    .command('align')
    .description('align paired-end reads; writes coordinate-sorted SAM')
    .requiredOption('--ref <fasta>', 'reference FASTA')
    .argument('<r1>', 'FASTQ of mate 1')
    .argument('<r2>', 'FASTQ of mate 2')
    .option('-o, --out <file>', 'write SAM here instead of stdout')
    .option('--threads <n>', 'worker threads', intOption('threads', 1, 256), 2)
    .option('--shard-pairs <n>', 'read pairs per task', intOption('shard-pairs', 1), 20_000)
    .option('--json', 'print a summary (file, reads, mapped, CPU ms) as JSON; needs -o for the SAM')
    .action(async (r1: string, r2: string, o: { ref: string; out?: string; threads: number; shardPairs: number; json?: boolean }) => {
      jsonNeedsOut(o);
      await asCli(async () => {
        const contigs = loadReference(o.ref);
        const b1 = readInput(r1);
        const b2 = readInput(r2);
        const ref = shareReference(contigs);
        const res = await withPool(o.threads, (pool) => alignPairs(pool, ref, b1, b2, { file1: r1, file2: r2, shardPairs: o.shardPairs }));
        const cl = `gsched kernel align --ref ${o.ref} ${r1} ${r2}`;
        const head = samHeader(contigs.map((c) => ({ name: c.name, length: c.seq.length })), true, cl);
        emit(head + (res.lines.length > 0 ? res.lines.join('\n') + '\n' : ''), o.out);
        if (o.json) printJson({ out: o.out, reads: res.reads, mapped: res.mapped, cpuMs: Math.round(res.cpuMs), indexCpuMs: Math.round(res.indexCpuMs) });
      });
    });

  kernel
    .command('call')
    .description('call SNPs and indels from a SAM file; writes VCF 4.2')
    .requiredOption('--ref <fasta>', 'reference FASTA')
    .argument('<sam>', 'aligned reads (SAM)')
    .option('-o, --out <file>', 'write VCF here instead of stdout')
    .option('--threads <n>', 'worker threads', intOption('threads', 1, 256), 2)
    .option('--region-size <bp>', 'bases per calling task', intOption('region-size', 1000), 1_000_000)
    .option('--json', 'print a summary (file, variants, CPU ms) as JSON; needs -o for the VCF')
    .action(async (samFile: string, o: { ref: string; out?: string; threads: number; regionSize: number; json?: boolean }) => {
      jsonNeedsOut(o);
      await asCli(async () => {
        const contigs = loadReference(o.ref);
        const text = new TextDecoder().decode(readInput(samFile));
        const sam = parseSam(text, samFile); // validates every line with file:line errors
        const known = new Set(contigs.map((c) => c.name));
        for (const c of sam.contigs) if (!known.has(c.name)) throw new CliError(`${samFile}: @SQ ${c.name} is not in ${o.ref}`, 2);
        const body = text.split('\n').filter((l) => l !== '' && l.charCodeAt(0) !== 64);
        const ref = shareReference(contigs);
        const res = await withPool(o.threads, (pool) => callLines(pool, ref, sortSamLines(body.map((l) => l.replace(/\r$/, '')), contigs), { regionSize: o.regionSize }));
        const head = vcfHeader(contigs.map((c) => ({ name: c.name, length: c.seq.length })), 'gsched-kernel-call');
        emit(head + (res.lines.length > 0 ? res.lines.join('\n') + '\n' : ''), o.out);
        if (o.json) printJson({ out: o.out, variants: res.variants, cpuMs: Math.round(res.cpuMs) });
      });
    });
}

/** With --json the summary owns stdout, so the SAM or VCF must go to a file. */
function jsonNeedsOut(o: { out?: string; json?: boolean }): void {
  if (o.json && o.out === undefined) throw new CliError('--json prints a summary on stdout: give -o FILE for the output itself', 2);
}
