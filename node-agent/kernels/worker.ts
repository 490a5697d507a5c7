// Piscina worker entry: runs one kernel task on this thread and reports its own CPU time.
// Errors the caller can act on (bad input) come back as data so their type survives the
// thread boundary; anything else is a bug and is thrown.
import { Piscina } from 'piscina';
import type { Aligner } from './align.js';
import { threadCpuMs } from './cpu.js';
import { KernelError, TaskParamError } from './errors.js';
import { scoreCalls, scoreSamText, variantKeys } from './evaluate.js';
import type { Contig } from './fasta.js';
import { checkPairs, parseFastq } from './fastq.js';
import type { AlignResult, AlignTask, CallResult, CallTask, KernelResult, KernelSummary, KernelTask, RefPayload, SyntheticTask, WorkerError } from './messages.js';
import { alignShard, callVariants, makeAligner, simulateDataset, sortRecords, truthRecords } from './pipeline.js';
import { callRegion } from './call.js';
import { parseSam, samLine } from './sam.js';
import { vcfLine } from './vcf.js';

let cached: { key: string; aligner: Aligner; cpuMs: number } | null = null;

function alignerFor(ref: RefPayload): { aligner: Aligner; builtCpuMs: number } {
  if (cached?.key === ref.key) return { aligner: cached.aligner, builtCpuMs: 0 };
  const t0 = threadCpuMs();
  const aligner = makeAligner(ref.contigs);
  const cpuMs = threadCpuMs() - t0;
  cached = { key: ref.key, aligner, cpuMs };
  return { aligner, builtCpuMs: cpuMs };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function moved<T extends object>(value: T, buffers: ArrayBufferLike[]): T {
  const wrapper = { [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: value };
  // piscina's Transferable type names private unique symbols; the runtime contract is these two keys.
  return Piscina.move(wrapper as unknown as Parameters<typeof Piscina.move>[0]) as unknown as T;
}

function runAlign(task: AlignTask): AlignResult {
  const t0 = threadCpuMs();
  const { aligner, builtCpuMs } = alignerFor(task.ref);
  const r1 = parseFastq(dec.decode(task.r1), task.file1, task.firstRecord * 4);
  const r2 = parseFastq(dec.decode(task.r2), task.file2, task.firstRecord * 4);
  checkPairs(r1, r2, task.file1, task.file2, task.firstRecord);
  let recs = alignShard(aligner, r1, r2);
  if (task.sort) recs = sortRecords(recs, task.ref.contigs);
  let mapped = 0;
  for (const r of recs) if ((r.flag & 4) === 0) mapped++;
  const sam = enc.encode(recs.length === 0 ? '' : recs.map(samLine).join('\n') + '\n');
  const cpuMs = threadCpuMs() - t0;
  return moved<AlignResult>({ kind: 'align', reads: recs.length, mapped, sam, cpuMs, indexCpuMs: builtCpuMs }, [sam.buffer]);
}

function runCall(task: CallTask): CallResult {
  const t0 = threadCpuMs();
  const contig = task.ref.contigs.find((c) => c.name === task.region.contig);
  if (contig === undefined) throw new TaskParamError(`region contig ${task.region.contig} is not in the reference`);
  const { records } = parseSam(dec.decode(task.sam), `region ${task.region.contig}:${task.region.start + 1}-${task.region.end}`);
  const calls = callRegion(contig, records, task.region.start, task.region.end);
  const vcf = enc.encode(calls.map((c) => vcfLine(c) + '\n').join(''));
  return moved<CallResult>({ kind: 'call', variants: calls.length, vcf, cpuMs: threadCpuMs() - t0 }, [vcf.buffer]);
}

const MAX_SCALE = 200;
/**
 * The smallest synthetic genome: the read simulator needs a reference longer than its
 * fragments (about 300-450 bp). A floor of 20 kbp here once made every scale below 0.2 cost the
 * same (4,000 reads a task), so `--kernel-scale` could not shrink a live run's kernel work.
 */
export const MIN_GENOME_BP = 500;

export function runSynthetic(task: SyntheticTask): KernelSummary {
  if (!(task.scale > 0 && task.scale <= MAX_SCALE)) throw new TaskParamError(`scale must be in (0, ${MAX_SCALE}], got ${task.scale}`);
  if (!Number.isInteger(task.seed)) throw new TaskParamError(`seed must be an integer, got ${task.seed}`);
  const s0 = threadCpuMs();
  const genomeLength = Math.max(MIN_GENOME_BP, Math.round(100_000 * task.scale));
  const ds = simulateDataset({ seed: task.seed, genomeLength });
  const s1 = threadCpuMs();
  const contigs: Contig[] = [ds.ref];
  const base: KernelSummary = { kind: 'synthetic', job: task.job, seed: task.seed, scale: task.scale, genomeLength, reads: ds.reads.r1.length * 2, cpuMs: 0, simCpuMs: s1 - s0 };
  if (task.job === 'simulate') return { ...base, cpuMs: s1 - s0, variants: ds.truth.length };
  if (task.job === 'qc') {
    let qsum = 0;
    let n = 0;
    let gc = 0;
    for (const reads of [ds.reads.r1, ds.reads.r2]) {
      for (const r of reads) {
        for (let i = 0; i < r.seq.length; i++) {
          qsum += r.qual.charCodeAt(i) - 33;
          const c = r.seq.charCodeAt(i);
          if (c === 67 || c === 71) gc++;
        }
        n += r.seq.length;
      }
    }
    return { ...base, cpuMs: threadCpuMs() - s1, meanBaseQuality: qsum / n, gcFraction: gc / n };
  }
  const aligner = makeAligner(contigs);
  const recs = sortRecords(alignShard(aligner, ds.reads.r1, ds.reads.r2), contigs);
  const a1 = threadCpuMs();
  const mapping = scoreSamText(recs.map(samLine).join('\n'));
  if (task.job === 'align') return { ...base, cpuMs: a1 - s1, mapped: mapping.mapped, correctFrac: mapping.correctFrac };
  const c0 = threadCpuMs();
  const calls = callVariants(contigs, recs);
  const c1 = threadCpuMs();
  const sc = scoreCalls(variantKeys(truthRecords(ds.truth), contigs), variantKeys(calls, contigs));
  return { ...base, cpuMs: c1 - c0, mapped: mapping.mapped, correctFrac: mapping.correctFrac, variants: calls.length, snpF1: sc.snp.f1, indelF1: sc.indel.f1 };
}

export default function handler(task: KernelTask): KernelResult | WorkerError {
  try {
    switch (task.kind) {
      case 'align':
        return runAlign(task);
      case 'call':
        return runCall(task);
      case 'synthetic':
        return runSynthetic(task);
    }
  } catch (err) {
    if (err instanceof KernelError) {
      const fields: Record<string, string | number> = {};
      for (const [k, v] of Object.entries(err)) if (typeof v === 'string' || typeof v === 'number') fields[k] = v;
      return { kind: 'error', name: err.name, message: err.message, fields };
    }
    throw err;
  }
}
