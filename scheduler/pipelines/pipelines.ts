// The analysis pipelines as DAGs: per-sample branches (QC -> alignment shards -> mark duplicates
// -> optional BQSR shards -> calling shards) joined by gather, joint-genotyping or somatic steps.
import {
  ALIGN,
  ALIGN_SMALL,
  BQSR,
  COHORT_GATHER,
  COHORT_GENOTYPE,
  COVERAGE,
  COVERAGE_SPREAD,
  DV_CALL_VARIANTS,
  DV_MAKE_EXAMPLES,
  DV_POSTPROCESS,
  EXOME_READS,
  GATHER,
  GENOME_READS,
  HAPLOTYPECALLER,
  JOINT_TRIO,
  MARKDUP,
  MUTECT2,
  PANEL_READS,
  QC,
  SHARD_MAX_READS,
  SMALL_INPUT_READS,
  SOMATIC_GATHER,
  STRELKA_MANTA,
} from './costs.js';
import type { Dag } from './dag.js';
import type { Rng } from '../../common/index.js';

/** What a pipeline builder may draw on: the job's random stream (null: nominal) and its cohort size. */
export interface BuildContext {
  rng: Rng | null;
  /** Samples in a research cohort (the pseudonyms the job lists). */
  samples: number;
}

export type Pipeline = (dag: Dag, ctx: BuildContext) => void;

/** Reads of one sample at `coverage`x, varied +-20% per sample. */
function genomeReads(ctx: BuildContext, coverage: number): number {
  const f = ctx.rng ? ctx.rng.uniform(1 - COVERAGE_SPREAD, 1 + COVERAGE_SPREAD) : 1;
  return (GENOME_READS * coverage * f) / 30;
}

function rangeReads(ctx: BuildContext, [lo, hi]: readonly [number, number], logUniform = false): number {
  if (!ctx.rng) return logUniform ? (hi - lo) / Math.log(hi / lo) : (lo + hi) / 2; // the mean
  return logUniform ? lo * Math.exp(ctx.rng.next() * Math.log(hi / lo)) : ctx.rng.uniform(lo, hi);
}

/** QC, alignment shards of <= 50M reads, merge + mark duplicates, optional BQSR. Returns the last stage. */
function preprocess(dag: Dag, reads: number, bqsr: boolean): number[] {
  const g = reads / GENOME_READS;
  const qc = dag.stage(QC, g, []);
  const aligner = reads < SMALL_INPUT_READS ? ALIGN_SMALL : ALIGN;
  const align = dag.stage(aligner, g, qc, Math.max(1, Math.ceil(reads / SHARD_MAX_READS)));
  const md = dag.stage(MARKDUP, g, align);
  return bqsr ? dag.stage(BQSR, g, md) : md;
}

/** A germline sample up to its HaplotypeCaller shards. */
function germlineSample(dag: Dag, reads: number, bqsr: boolean, callShards?: number): number[] {
  const g = reads / GENOME_READS;
  return dag.stage(HAPLOTYPECALLER, g, preprocess(dag, reads, bqsr), callShards);
}

export const wgsSingle: Pipeline = (dag, ctx) => {
  const reads = genomeReads(ctx, COVERAGE.germline);
  dag.stage(GATHER, reads / GENOME_READS, germlineSample(dag, reads, true));
};

/** Rapid WGS for a critically ill child: no BQSR and twice the calling shards, to shorten the critical path. */
export const wgsRapid: Pipeline = (dag, ctx) => {
  const reads = genomeReads(ctx, COVERAGE.germline);
  const call = germlineSample(dag, reads, false, HAPLOTYPECALLER.shards * 2);
  dag.stage(GATHER, reads / GENOME_READS, call);
};

/** Proband and both parents, joined by joint genotyping of the three GVCFs. */
export const wgsTrio: Pipeline = (dag, ctx) => {
  const calls: number[] = [];
  for (let s = 0; s < 3; s++) calls.push(...germlineSample(dag, genomeReads(ctx, COVERAGE.germline), true));
  dag.stage(JOINT_TRIO, 1, calls);
};

/** Normal (30x) and tumour (90x) branches, then Mutect2 shards and Strelka2/Manta, then a gather. */
export const tumourNormal: Pipeline = (dag, ctx) => {
  const normal = preprocess(dag, genomeReads(ctx, COVERAGE.normal), true);
  const tumourReads = genomeReads(ctx, COVERAGE.tumour);
  const tumour = preprocess(dag, tumourReads, true);
  const both = [...normal, ...tumour];
  const t = tumourReads / GENOME_READS;
  const calls = [...dag.stage(MUTECT2, t, both, MUTECT2.shards), ...dag.stage(STRELKA_MANTA, t, both)];
  dag.stage(SOMATIC_GATHER, 1, calls);
};

export const exome: Pipeline = (dag, ctx) => {
  const reads = rangeReads(ctx, EXOME_READS);
  dag.stage(GATHER, reads / GENOME_READS, germlineSample(dag, reads, true));
};

/** Gene panel: no BQSR (too few reads to recalibrate on); run time dominated by start-up overheads. */
export const panel: Pipeline = (dag, ctx) => {
  const reads = rangeReads(ctx, PANEL_READS, true);
  dag.stage(GATHER, reads / GENOME_READS, germlineSample(dag, reads, false));
};

/** Re-calling a stored 30x genome with an updated pipeline/knowledge base: calling shards + gather. */
export const reanalysis: Pipeline = (dag, ctx) => {
  const g = genomeReads(ctx, COVERAGE.germline) / GENOME_READS;
  dag.stage(GATHER, g, dag.stage(HAPLOTYPECALLER, g, []));
};

/** DeepVariant on a stored genome (research: comparing callers). */
export const researchDeepVariant: Pipeline = (dag, ctx) => {
  const g = genomeReads(ctx, COVERAGE.germline) / GENOME_READS;
  const examples = dag.stage(DV_MAKE_EXAMPLES, g, []);
  dag.stage(DV_POSTPROCESS, g, dag.stage(DV_CALL_VARIANTS, g, examples));
};

/** Joint genotyping of a research cohort's GVCFs. */
export const researchCohort: Pipeline = (dag, ctx) => {
  dag.stage(COHORT_GATHER, ctx.samples, dag.stage(COHORT_GENOTYPE, ctx.samples, []));
};
