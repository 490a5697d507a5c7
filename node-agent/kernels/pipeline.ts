// The pipeline steps as plain functions (the pool's worker and the CLI both call these):
// simulate -> align a shard -> sort/merge -> call a region -> gather.
import { Aligner } from './align.js';
import type { AlignerOptions } from './align.js';
import { callRegion, DEFAULT_CALL } from './call.js';
import type { CallOptions } from './call.js';
import type { Contig } from './fasta.js';
import type { Read } from './fastq.js';
import { generateReference } from './genome.js';
import type { GenomeSpec } from './genome.js';
import { simulateReads } from './reads.js';
import type { ReadPairs } from './reads.js';
import type { SamRecord } from './sam.js';
import { simulateSample } from './variants.js';
import type { TruthVariant } from './variants.js';
import type { VcfRecord } from './vcf.js';

export interface DatasetSpec {
  seed: number;
  genomeLength: number;
  /** Read pairs; defaults to 30x coverage. */
  pairs?: number;
  genome?: Partial<Omit<GenomeSpec, 'length' | 'seed'>>;
}

export interface Dataset {
  ref: Contig;
  truth: TruthVariant[];
  reads: ReadPairs;
}

export function simulateDataset(spec: DatasetSpec): Dataset {
  const ref = generateReference({ ...spec.genome, length: spec.genomeLength, seed: spec.seed });
  const sample = simulateSample(ref, { seed: spec.seed });
  const pairs = spec.pairs ?? Math.round((spec.genomeLength * 30) / 300);
  const reads = simulateReads(ref, sample.haps, { seed: spec.seed, pairs });
  return { ref, truth: sample.variants, reads };
}

export function truthRecords(truth: readonly TruthVariant[]): VcfRecord[] {
  return truth.map((v) => ({ contig: v.contig, pos: v.pos, ref: v.ref, alt: [v.alt], qual: null, gt: `${v.gt[0]}|${v.gt[1]}` }));
}

/** Aligns a shard of pairs; records come back in input order (mate 1, mate 2, ...). */
export function alignShard(aligner: Aligner, r1: readonly Read[], r2: readonly Read[]): SamRecord[] {
  const out: SamRecord[] = [];
  for (let i = 0; i < r1.length; i++) {
    const [a, b] = aligner.alignPair(r1[i]!, r2[i]!);
    out.push(a, b);
  }
  return out;
}

export function makeAligner(contigs: readonly Contig[], opts?: AlignerOptions): Aligner {
  return new Aligner(contigs, opts);
}

/** Coordinate order as samtools sort: by @SQ order, then position; unplaced reads last. */
export function sortRecords(records: SamRecord[], contigs: readonly { name: string }[]): SamRecord[] {
  const order = new Map(contigs.map((c, i) => [c.name, i]));
  const rank = (r: SamRecord): number => (r.rname === '*' ? contigs.length : (order.get(r.rname) ?? contigs.length));
  return records.sort((a, b) => rank(a) - rank(b) || a.pos - b.pos);
}

/** Merges shards that are each coordinate-sorted. */
export function mergeSorted(shards: SamRecord[][], contigs: readonly { name: string }[]): SamRecord[] {
  // Shards are few: concatenate and let the (stable, run-aware) sort do the merge.
  return sortRecords(shards.flat(), contigs);
}

export interface Region {
  contig: string;
  start: number;
  end: number;
}

/** Splits every contig into regions of about `size` bases (units of work for calling). */
export function splitRegions(contigs: readonly Contig[], size: number): Region[] {
  const out: Region[] = [];
  for (const c of contigs) for (let s = 0; s < c.seq.length; s += size) out.push({ contig: c.name, start: s, end: Math.min(c.seq.length, s + size) });
  return out;
}

export function callVariants(contigs: readonly Contig[], records: readonly SamRecord[], regions?: readonly Region[], opts: CallOptions = DEFAULT_CALL): VcfRecord[] {
  const out: VcfRecord[] = [];
  for (const r of regions ?? splitRegions(contigs, Number.MAX_SAFE_INTEGER)) {
    const contig = contigs.find((c) => c.name === r.contig);
    if (contig === undefined) continue;
    out.push(...callRegion(contig, records, r.start, r.end, opts));
  }
  return out;
}
