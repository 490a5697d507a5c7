// Benchmark: the same simulated data through gsched's kernels (one worker thread, CPU time
// from /proc/thread-self/stat inside the worker) and through minimap2 -ax sr -> samtools sort
// -> bcftools mpileup | bcftools call -mv (one thread, children's CPU time from bash `times`).
// Scores both against the simulated truth and writes bench/results/kernels.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alignPairs,
  callLines,
  createKernelPool,
  parseVcf,
  samHeader,
  scoreCalls,
  scoreSamText,
  shareReference,
  simulateDataset,
  truthRecords,
  variantKeys,
  vcfHeader,
  writeFasta,
  writeFastq,
  writeVcf,
} from '../node-agent/kernels/index.js';
import type { CallScore, Contig, MappingScore } from '../node-agent/kernels/index.js';
import { median, table, writeResult } from './stats.js';

const GENOME = Number(process.env.BENCH_GENOME ?? 5_000_000);
const COVERAGE = Number(process.env.BENCH_COVERAGE ?? 20);
const SPEED_PAIRS = Number(process.env.BENCH_SPEED_PAIRS ?? 100_000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const SEED = Number(process.env.BENCH_SEED ?? 2024);

function ensureTools(): void {
  const missing = ['minimap2', 'samtools', 'bcftools'].filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(' ')} ...`);
  execFileSync('apt-get', ['install', '-y', 'minimap2', 'samtools', 'bcftools'], { stdio: 'inherit' });
}

/** Runs a shell pipeline and returns the CPU seconds (user+sys) of its children, via bash `times`. */
function childCpu(script: string): number {
  const res = spawnSync('bash', ['-c', `set -e -o pipefail; ${script}; times`], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (res.status !== 0) throw new Error(`failed: ${script}\n${res.stderr}`);
  const lines = res.stdout.trim().split('\n');
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[lines.length - 1]!);
  if (m === null) throw new Error(`cannot parse times output: ${res.stdout}`);
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

function scoreVcfFile(file: string, ref: string, contigs: Contig[], truth: ReturnType<typeof truthRecords>, dir: string): CallScore {
  // Split multi-allelic records and left-align with bcftools, then our own normalisation.
  const norm = join(dir, `${file.split('/').pop()}.norm.vcf`);
  execFileSync('bcftools', ['norm', '-f', ref, '-m', '-any', '-o', norm, file], { stdio: 'pipe' });
  return scoreCalls(variantKeys(truth, contigs), variantKeys(parseVcf(readFileSync(norm, 'utf8'), norm), contigs));
}

async function main(): Promise<void> {
  ensureTools();
  const dir = mkdtempSync(join(tmpdir(), 'gsched-bench-kernels-'));
  const pairs = Math.round((GENOME * COVERAGE) / 300);
  console.log(`simulating ${GENOME} bp genome, ${pairs} pairs (${COVERAGE}x), seed ${SEED} ...`);
  const ds = simulateDataset({ seed: SEED, genomeLength: GENOME, pairs });
  const contigs = [ds.ref];
  const truth = truthRecords(ds.truth);
  const refFa = join(dir, 'ref.fa');
  const files = { r1: join(dir, 'r1.fq'), r2: join(dir, 'r2.fq'), s1: join(dir, 's1.fq'), s2: join(dir, 's2.fq') };
  writeFileSync(refFa, writeFasta(contigs));
  writeFileSync(files.r1, writeFastq(ds.reads.r1));
  writeFileSync(files.r2, writeFastq(ds.reads.r2));
  writeFileSync(files.s1, writeFastq(ds.reads.r1.slice(0, SPEED_PAIRS)));
  writeFileSync(files.s2, writeFastq(ds.reads.r2.slice(0, SPEED_PAIRS)));
  writeFileSync(join(dir, 'truth.vcf'), writeVcf(contigs, truth, 'truth'));
  const speedReads = 2 * Math.min(SPEED_PAIRS, pairs);
  const nTruth = { snp: ds.truth.filter((v) => v.ref.length === 1 && v.alt.length === 1).length, indel: ds.truth.filter((v) => v.ref.length !== v.alt.length).length };
  ds.reads.r1.length = 0;
  ds.reads.r2.length = 0;

  // One worker thread: single-thread throughput, measured inside the worker.
  const pool = createKernelPool({ threads: 1 });
  const gsSpeed: number[] = [];
  const mmSpeed: number[] = [];
  const b1 = readFileSync(files.s1);
  const b2 = readFileSync(files.s2);
  for (let r = 0; r < REPEATS; r++) {
    // A fresh reference key forces the index build into every repeat, as minimap2 does.
    const res = await alignPairs(pool, shareReference(contigs), b1, b2, { file1: files.s1, file2: files.s2, shardPairs: SPEED_PAIRS });
    gsSpeed.push(res.reads / (res.cpuMs / 1000));
    const cpu = childCpu(`minimap2 -t 1 -ax sr ${refFa} ${files.s1} ${files.s2} > ${dir}/speed.sam 2>/dev/null`);
    mmSpeed.push(speedReads / cpu);
    console.log(`speed repeat ${r + 1}: gsched ${gsSpeed[r]!.toFixed(0)} reads/CPU-s (index ${res.indexCpuMs} ms), minimap2 ${mmSpeed[r]!.toFixed(0)} reads/CPU-s`);
  }

  // Accuracy: the whole data set through both pipelines.
  const ref = shareReference(contigs);
  const full = await alignPairs(pool, ref, readFileSync(files.r1), readFileSync(files.r2), { file1: files.r1, file2: files.r2, shardPairs: 50_000 });
  const gsSam = join(dir, 'gsched.sam');
  writeFileSync(gsSam, samHeader([{ name: ds.ref.name, length: ds.ref.seq.length }], true, 'bench') + full.lines.join('\n') + '\n');
  const gsMap: MappingScore = scoreSamText(readFileSync(gsSam, 'utf8'));
  const called = await callLines(pool, ref, full.lines);
  full.lines.length = 0;
  await pool.destroy();
  const gsVcf = join(dir, 'gsched.vcf');
  writeFileSync(gsVcf, vcfHeader([{ name: ds.ref.name, length: ds.ref.seq.length }], 'gsched') + called.lines.join('\n') + '\n');
  const gsCalls = scoreVcfFile(gsVcf, refFa, contigs, truth, dir);

  const mmSam = join(dir, 'mm.sam');
  const mmAlignCpu = childCpu(`minimap2 -t 1 -ax sr ${refFa} ${files.r1} ${files.r2} > ${mmSam} 2>/dev/null`);
  const mmMap = scoreSamText(readFileSync(mmSam, 'utf8'));
  const bam = join(dir, 'mm.bam');
  const sortCpu = childCpu(`samtools sort -@1 -o ${bam} ${mmSam} 2>/dev/null && samtools index ${bam}`);
  const bcfVcf = join(dir, 'bcftools.vcf');
  const bcfCpu = childCpu(`bcftools mpileup -f ${refFa} ${bam} 2>/dev/null | bcftools call -mv -o ${bcfVcf} 2>/dev/null`);
  const bcfCalls = scoreVcfFile(bcfVcf, refFa, contigs, truth, dir);

  const out = {
    genome_bp: GENOME,
    coverage: COVERAGE,
    reads: full.reads,
    speed_reads: speedReads,
    repeats: REPEATS,
    seed: SEED,
    truth_snps: nTruth.snp,
    truth_indels: nTruth.indel,
    reads_per_cpu_s: Math.round(median(gsSpeed)),
    minimap2_reads_per_cpu_s: Math.round(median(mmSpeed)),
    reads_per_cpu_s_all: gsSpeed.map(Math.round),
    minimap2_reads_per_cpu_s_all: mmSpeed.map(Math.round),
    speed_ratio: median(gsSpeed) / median(mmSpeed),
    correct_frac: gsMap.correctFrac,
    minimap2_correct_frac: mmMap.correctFrac,
    mapq20_wrong: gsMap.q20Wrong,
    mapq20_reads: gsMap.q20,
    minimap2_mapq20_wrong: mmMap.q20Wrong,
    minimap2_mapq20_reads: mmMap.q20,
    full_align_cpu_s: full.cpuMs / 1000,
    minimap2_full_align_cpu_s: mmAlignCpu,
    call_cpu_s: called.cpuMs / 1000,
    samtools_sort_cpu_s: sortCpu,
    bcftools_call_cpu_s: bcfCpu,
    snp_precision: gsCalls.snp.precision,
    snp_recall: gsCalls.snp.recall,
    snp_f1: gsCalls.snp.f1,
    indel_precision: gsCalls.indel.precision,
    indel_recall: gsCalls.indel.recall,
    indel_f1: gsCalls.indel.f1,
    bcftools_snp_precision: bcfCalls.snp.precision,
    bcftools_snp_recall: bcfCalls.snp.recall,
    bcftools_snp_f1: bcfCalls.snp.f1,
    bcftools_indel_precision: bcfCalls.indel.precision,
    bcftools_indel_recall: bcfCalls.indel.recall,
    bcftools_indel_f1: bcfCalls.indel.f1,
    node: process.version,
  };
  const f = (x: number, d = 4): string => x.toFixed(d);
  const rows: [string, string, string][] = [
    ['reads / CPU-s (1 thread, median)', String(out.reads_per_cpu_s), String(out.minimap2_reads_per_cpu_s)],
    ['reads within ±5 bp', f(out.correct_frac), f(out.minimap2_correct_frac)],
    ['MAPQ>=20 misplaced / MAPQ>=20', `${out.mapq20_wrong}/${out.mapq20_reads}`, `${out.minimap2_mapq20_wrong}/${out.minimap2_mapq20_reads}`],
    ['SNP precision / recall', `${f(out.snp_precision)} / ${f(out.snp_recall)}`, `${f(out.bcftools_snp_precision)} / ${f(out.bcftools_snp_recall)}`],
    ['SNP F1', f(out.snp_f1), f(out.bcftools_snp_f1)],
    ['indel precision / recall', `${f(out.indel_precision)} / ${f(out.indel_recall)}`, `${f(out.bcftools_indel_precision)} / ${f(out.bcftools_indel_recall)}`],
    ['indel F1', f(out.indel_f1), f(out.bcftools_indel_f1)],
    ['calling CPU-s', f(out.call_cpu_s, 1), `${f(out.bcftools_call_cpu_s, 1)} (+ sort ${f(out.samtools_sort_cpu_s, 1)})`],
  ];
  console.log(`\n${GENOME} bp, ${full.reads} reads (${COVERAGE}x); truth ${nTruth.snp} SNPs, ${nTruth.indel} indels; speed on ${speedReads} reads x${REPEATS}`);
  console.log(table([['metric', 'gsched', 'minimap2 / bcftools'], ...rows]));
  console.log(`wrote ${writeResult('kernels', out)}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
