// Typed messages between the pool facade and its workers. Bulk data travels as bytes
// (transferred, not copied); the reference is shared read-only through SharedArrayBuffers.
import type { Region } from './pipeline.js';

export interface RefPayload {
  /** Identifies the reference so a worker builds its index once and reuses it. */
  key: string;
  contigs: { name: string; seq: Uint8Array }[];
}

/** Align one shard of pairs given as FASTQ bytes; returns SAM body lines (coordinate-sorted if asked). */
export interface AlignTask {
  kind: 'align';
  ref: RefPayload;
  r1: Uint8Array;
  r2: Uint8Array;
  file1: string;
  file2: string;
  /** Index of the shard's first record in the files (for line numbers in errors). */
  firstRecord: number;
  sort: boolean;
}

/** Call variants in one region from the SAM body lines overlapping it; returns VCF body lines. */
export interface CallTask {
  kind: 'call';
  ref: RefPayload;
  sam: Uint8Array;
  region: Region;
}

export type SyntheticKind = 'simulate' | 'align' | 'call' | 'qc';

/** Self-contained task for the node agent: generate scaled data from a seed and run a kernel on it. */
export interface SyntheticTask {
  kind: 'synthetic';
  job: SyntheticKind;
  seed: number;
  /** 1 = 100 kbp genome at 30x (10,000 pairs); linear in both. */
  scale: number;
}

export type KernelTask = AlignTask | CallTask | SyntheticTask;

export interface AlignResult {
  kind: 'align';
  reads: number;
  mapped: number;
  sam: Uint8Array;
  /** CPU time of the worker thread for the alignment (index build included when it happened). */
  cpuMs: number;
  indexCpuMs: number;
}

export interface CallResult {
  kind: 'call';
  variants: number;
  vcf: Uint8Array;
  cpuMs: number;
}

/** The small summary a synthetic task returns to the node agent. */
export interface KernelSummary {
  kind: 'synthetic';
  job: SyntheticKind;
  seed: number;
  scale: number;
  genomeLength: number;
  reads: number;
  /** Worker-thread CPU time spent in the kernel itself (not in data generation). */
  cpuMs: number;
  simCpuMs: number;
  mapped?: number;
  correctFrac?: number;
  variants?: number;
  snpF1?: number;
  indelF1?: number;
  meanBaseQuality?: number;
  gcFraction?: number;
}

export type KernelResult = AlignResult | CallResult | KernelSummary;

/** A typed input error raised in a worker, sent back as data so the facade can rethrow it. */
export interface WorkerError {
  kind: 'error';
  name: string;
  message: string;
  fields: Record<string, string | number>;
}
