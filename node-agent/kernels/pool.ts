// Facade over a piscina pool of kernel workers: shard -> align -> merge -> call regions ->
// gather, plus runKernelTask for the node agent's synthetic workloads.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { compiledPath } from '../../common/index.js';
import { FormatError, InputFileError, KernelError, PairingError, TaskParamError } from './errors.js';
import type { Contig } from './fasta.js';
import type { AlignResult, CallResult, KernelResult, KernelSummary, KernelTask, RefPayload, SyntheticKind, WorkerError } from './messages.js';
import { splitRegions } from './pipeline.js';
import type { Region } from './pipeline.js';

export type KernelPool = Piscina<KernelTask, KernelResult | WorkerError>;

/**
 * The compiled worker. Under vitest this module is a .ts source, but worker threads must load
 * JS, so point at the mirrored file in dist/; from dist it is the sibling worker.js.
 */
export function workerFilename(): string {
  return compiledPath('node-agent/kernels/worker.ts');
}

export function createKernelPool(opts: { threads?: number } = {}): KernelPool {
  const threads = Math.max(1, opts.threads ?? Math.min(2, availableParallelism()));
  return new Piscina<KernelTask, KernelResult | WorkerError>({ filename: workerFilename(), minThreads: threads, maxThreads: threads });
}

function revive(e: WorkerError): KernelError {
  const f = e.fields;
  switch (e.name) {
    case 'FormatError':
      return new FormatError(String(f.file), Number(f.line), String(f.what));
    case 'PairingError':
      return new PairingError(String(f.file1), String(f.file2), String(f.what));
    case 'InputFileError':
      return new InputFileError(String(f.file), String(f.reason));
    case 'TaskParamError':
      return new TaskParamError(e.message);
    default:
      return new KernelError(e.message);
  }
}

async function run<K extends KernelResult['kind']>(pool: KernelPool, task: KernelTask, kind: K, transfer: ArrayBuffer[] = []): Promise<Extract<KernelResult, { kind: K }>> {
  const res = await pool.run(task, { transferList: transfer });
  if (res.kind === 'error') throw revive(res);
  if (res.kind !== kind) throw new Error(`worker answered a ${kind} task with ${res.kind}`);
  return res as Extract<KernelResult, { kind: K }>;
}

export interface KernelTaskRequest {
  kind: SyntheticKind;
  seed: number;
  /** 1 = 100 kbp genome at 30x coverage. */
  scale: number;
}

/** Generates scaled-down synthetic data for a task inside a pool worker and runs the kernel there. */
export function runKernelTask(pool: KernelPool, req: KernelTaskRequest): Promise<KernelSummary> {
  return run(pool, { kind: 'synthetic', job: req.kind, seed: req.seed, scale: req.scale }, 'synthetic');
}

let refCounter = 0;

/** Copies contigs into shared memory once; every worker reads the same bytes. */
export function shareReference(contigs: readonly Contig[]): RefPayload {
  return {
    key: `ref${++refCounter}:${process.pid}:${contigs.map((c) => `${c.name}/${c.seq.length}`).join(',')}`,
    contigs: contigs.map((c) => {
      const seq = new Uint8Array(new SharedArrayBuffer(c.seq.length));
      seq.set(c.seq);
      return { name: c.name, seq };
    }),
  };
}

/** Byte offsets of every `every`-th FASTQ record start (4 lines each). */
function recordCuts(text: Uint8Array, every: number): number[] {
  const cuts = [0];
  let lines = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === 10) {
      lines++;
      if (lines % (4 * every) === 0 && i + 1 < text.length) cuts.push(i + 1);
    }
  }
  if (text.length > 0 && text[text.length - 1] !== 10) lines++;
  cuts.push(text.length);
  return cuts;
}

function countRecords(text: Uint8Array): number {
  let lines = 0;
  for (let i = 0; i < text.length; i++) if (text[i] === 10) lines++;
  if (text.length > 0 && text[text.length - 1] !== 10) lines++;
  return Math.ceil(lines / 4);
}

export interface AlignOutput {
  /** SAM body lines in coordinate order. */
  lines: string[];
  reads: number;
  mapped: number;
  /** Worker CPU time summed over shards, and the part spent building indexes. */
  cpuMs: number;
  indexCpuMs: number;
}

/** Aligns paired FASTQ bytes in shards across the pool and merges the sorted shards. */
export async function alignPairs(pool: KernelPool, ref: RefPayload, r1: Uint8Array, r2: Uint8Array, opts: { file1: string; file2: string; shardPairs?: number }): Promise<AlignOutput> {
  const n1 = countRecords(r1);
  const n2 = countRecords(r2);
  if (n1 !== n2) throw new PairingError(opts.file1, opts.file2, `mismatched pair counts: ${n1} reads in r1 but ${n2} in r2`);
  const per = opts.shardPairs ?? 20_000;
  const c1 = recordCuts(r1, per);
  const c2 = recordCuts(r2, per);
  const jobs: Promise<AlignResult>[] = [];
  for (let s = 0; s + 1 < c1.length; s++) {
    // Copies (Buffer.slice would alias), so the shard's own bytes can be transferred.
    const a = new Uint8Array(r1.subarray(c1[s], c1[s + 1]));
    const b = new Uint8Array(r2.subarray(c2[s] ?? r2.length, c2[s + 1] ?? r2.length));
    const task: KernelTask = { kind: 'align', ref, r1: a, r2: b, file1: opts.file1, file2: opts.file2, firstRecord: s * per, sort: true };
    jobs.push(run(pool, task, 'align', [a.buffer, b.buffer]));
  }
  const results = await settleAll(jobs);
  const dec = new TextDecoder();
  const shards = results.map((r) => splitLines(dec.decode(r.sam)));
  return {
    lines: mergeSortedLines(shards, ref.contigs),
    reads: results.reduce((n, r) => n + r.reads, 0),
    mapped: results.reduce((n, r) => n + r.mapped, 0),
    cpuMs: results.reduce((n, r) => n + r.cpuMs, 0),
    indexCpuMs: results.reduce((n, r) => n + r.indexCpuMs, 0),
  };
}

/** Like Promise.all, but waits for every task so none is still running when the caller moves on. */
async function settleAll<T>(jobs: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Sort key of a SAM body line: contig rank in the header order, then POS; unplaced last. */
function lineKey(line: string, rank: Map<string, number>, unplaced: number): [number, number] {
  const t1 = line.indexOf('\t');
  const t2 = line.indexOf('\t', t1 + 1);
  const t3 = line.indexOf('\t', t2 + 1);
  const t4 = line.indexOf('\t', t3 + 1);
  const rname = line.slice(t2 + 1, t3);
  return [rname === '*' ? unplaced : (rank.get(rname) ?? unplaced), Number(line.slice(t3 + 1, t4))];
}

/** Coordinate-sorts SAM body lines (stable), as samtools sort would. */
export function sortSamLines(lines: readonly string[], contigs: readonly { name: string }[]): string[] {
  const rank = new Map(contigs.map((c, i) => [c.name, i]));
  const keys = lines.map((l) => lineKey(l, rank, contigs.length));
  const idx = Array.from(lines, (_, i) => i);
  idx.sort((a, b) => keys[a]![0] - keys[b]![0] || keys[a]![1] - keys[b]![1] || a - b);
  return idx.map((i) => lines[i]!);
}

/** k-way merge of coordinate-sorted SAM body line lists. */
export function mergeSortedLines(shards: string[][], contigs: readonly { name: string }[]): string[] {
  const rank = new Map(contigs.map((c, i) => [c.name, i]));
  const keyed = shards.map((lines) => lines.map((l) => lineKey(l, rank, contigs.length)));
  const at = shards.map(() => 0);
  const out: string[] = [];
  for (;;) {
    let best = -1;
    for (let s = 0; s < shards.length; s++) {
      if (at[s]! >= shards[s]!.length) continue;
      if (best < 0) {
        best = s;
        continue;
      }
      const a = keyed[s]![at[s]!]!;
      const b = keyed[best]![at[best]!]!;
      if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) best = s;
    }
    if (best < 0) return out;
    out.push(shards[best]![at[best]!]!);
    at[best]!++;
  }
}

export interface CallOutput {
  /** VCF body lines in region order. */
  lines: string[];
  variants: number;
  cpuMs: number;
}

/** Calls variants region by region across the pool from coordinate-sorted SAM body lines. */
export async function callLines(pool: KernelPool, ref: RefPayload, lines: readonly string[], opts: { regionSize?: number } = {}): Promise<CallOutput> {
  const contigs = ref.contigs.map((c) => ({ name: c.name, seq: c.seq }));
  const regions = splitRegions(contigs, opts.regionSize ?? 1_000_000);
  const rank = new Map(contigs.map((c, i) => [c.name, i]));
  const keys = lines.map((l) => lineKey(l, rank, contigs.length));
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const jobs = regions.map((region: Region) => {
    const r = rank.get(region.contig)!;
    // Reads overlapping the region start at most ~1 kbp before it.
    const lo = lowerBound(keys, r, region.start + 1 - 1000);
    const hi = lowerBound(keys, r, region.end + 1);
    const sam = enc.encode(lines.slice(lo, hi).join('\n') + '\n');
    return run(pool, { kind: 'call', ref, sam, region }, 'call', [sam.buffer as ArrayBuffer]);
  });
  const results: CallResult[] = await settleAll(jobs);
  const out: string[] = [];
  for (const r of results) out.push(...splitLines(dec.decode(r.vcf)));
  return { lines: out, variants: out.length, cpuMs: results.reduce((n, r) => n + r.cpuMs, 0) };
}

function lowerBound(keys: readonly [number, number][], rank: number, pos: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid]!;
    if (k[0] < rank || (k[0] === rank && k[1] < pos)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
