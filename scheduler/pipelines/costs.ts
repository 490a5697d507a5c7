// The cost model: what each pipeline stage asks of the scheduler (cores, memory, time) and how
// long it runs, per unit of input. Figures and their sources are in COSTS.md; each constant below
// names its source, or says "assumption" when it is ours.
import type { Ms } from '../core/index.js';

export type Kernel = 'qc' | 'align' | 'merge' | 'call' | 'gather';

const GB = 1024;
export const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** A 30x human genome: ~93 Gbp in ~620M reads of 150 bp (Illumina NovaSeq). One work unit ("genome"). */
export const GENOME_READS = 620e6;
/** Germline genomes are sequenced to >= 30x, tumours to 90x (at least 60x) with a 30x normal. */
export const COVERAGE = { germline: 30, tumour: 90, normal: 30 } as const;
/** Per-sample coverage varies +-20% around the target (assumption from the brief: coverage +-20%). */
export const COVERAGE_SPREAD = 0.2;
/** Exome: ~100x on ~50 Mb, 50-80M reads. Gene panel: 1-5 Mb, 2-10M reads. */
export const EXOME_READS = [50e6, 80e6] as const;
export const PANEL_READS = [2e6, 10e6] as const;
/** Alignment is scattered into shards of at most 50M reads (WARP / sarek split FASTQs this way). */
export const SHARD_MAX_READS = 50e6;

/**
 * One pipeline stage. Its core-hours scale linearly with the work it is given (genomes of reads,
 * or samples for cohort steps) and are spread evenly over its shards; each task also pays a fixed
 * start-up (reference index load, JVM start) on all its cores.
 */
export interface StageCost {
  /** Task name prefix. */
  name: string;
  kernel: Kernel;
  cores: number;
  /** Memory per task: fixed part plus a part per unit of work. */
  memMb: number;
  memMbPerUnit: number;
  /** Core-hours per unit of work, over all shards of the stage. */
  coreHoursPerUnit: number;
  /** Core-hours regardless of work (e.g. loading annotation databases). */
  fixedCoreHours: number;
  /** Shards for one unit of work; fewer for less work (at least 1), never more. */
  shards: number;
  /** Start-up seconds per task. */
  overheadS: number;
}

const stage = (s: Partial<StageCost> & Pick<StageCost, 'name' | 'kernel' | 'cores' | 'memMb'>): StageCost => ({
  memMbPerUnit: 0,
  coreHoursPerUnit: 0,
  fixedCoreHours: 0,
  shards: 1,
  overheadS: 20,
  ...s,
});

// ------------------------------------------------------------ germline preprocessing (per genome)

/** FastQC/fastp-style read QC. Assumption: ~2 core-h per 30x genome, 4 cores, 4 GB. */
export const QC = stage({ name: 'qc', kernel: 'qc', cores: 4, memMb: 4 * GB, coreHoursPerUnit: 2, overheadS: 10 });

/**
 * BWA-MEM alignment: 120-250 core-h per 30x genome (WARP WGS, sarek), ~6 GB index + 0.5 GB per
 * thread, 12-24 shards of <= 50M reads, 24 cores each, 15-50 min; index load ~1 min per task.
 */
export const ALIGN = stage({
  name: 'align', kernel: 'align', cores: 24, memMb: 6 * GB + 24 * (GB / 2), coreHoursPerUnit: 185, overheadS: 60,
});
/** The same aligner on 8 threads for gene panels, where 24 cores would mostly wait for the index. */
export const ALIGN_SMALL: StageCost = { ...ALIGN, cores: 8, memMb: 6 * GB + 8 * (GB / 2) };
/** Inputs below this many reads use ALIGN_SMALL. */
export const SMALL_INPUT_READS = 20e6;

/**
 * Merge + sort + mark duplicates: 5-15 core-h, 7.5-30 GB, one task of 6 cores for 1-3 h per 30x genome.
 * Memory grows with the reads held in the duplicate set (8 GB + 12 GB per genome: 20 GB at 30x).
 */
export const MARKDUP = stage({
  name: 'markdup', kernel: 'merge', cores: 6, memMb: 8 * GB, memMbPerUnit: 12 * GB, coreHoursPerUnit: 10,
});

/**
 * Base quality score recalibration (BaseRecalibrator + ApplyBQSR): 10-25 core-h, 4-6 GB, 2 cores
 * per task. WARP scatters it 20-50 ways at 10-30 min a task; we scatter 8 ways (same core-hours,
 * longer tasks) to keep 60,000 analyses within ~3M simulated tasks. A BAM-to-BAM step: kernel `merge`.
 */
export const BQSR = stage({ name: 'bqsr', kernel: 'merge', cores: 2, memMb: 5 * GB, coreHoursPerUnit: 17, shards: 8 });

// ------------------------------------------------------------ germline calling

/**
 * GATK HaplotypeCaller in GVCF mode: 30-70 core-h, 10-12 GB, 2 cores per task. WARP scatters ~50
 * ways at 20-40 min; we scatter 12 ways (same core-hours) for the task budget.
 */
export const HAPLOTYPECALLER = stage({
  name: 'call', kernel: 'call', cores: 2, memMb: 11 * GB, coreHoursPerUnit: 50, shards: 12,
});

/** Gather the VCF shards and annotate. Assumption: 0.25 core-h fixed + 1.75 per genome, 4 cores, 8 GB. */
export const GATHER = stage({
  name: 'gather', kernel: 'gather', cores: 4, memMb: 8 * GB, coreHoursPerUnit: 1.75, fixedCoreHours: 0.25,
});

/** Trio: joint genotyping of the three GVCFs, then gather and annotate. Assumption: 4 core-h, 16 GB. */
export const JOINT_TRIO = stage({
  name: 'joint', kernel: 'gather', cores: 4, memMb: 16 * GB, fixedCoreHours: 4,
});

// ------------------------------------------------------------ somatic (per tumour genome of reads)

/**
 * Mutect2 on the tumour/normal pair. Assumption: as costly per tumour read as HaplotypeCaller per
 * germline read (50 core-h per genome of tumour reads: ~150 at 90x), 16 shards of 2 cores, 12 GB.
 */
export const MUTECT2 = stage({
  name: 'somatic', kernel: 'call', cores: 2, memMb: 12 * GB, coreHoursPerUnit: 50, shards: 16,
});
/** Strelka2 + Manta (small variants and structural variants). Assumption: 12 core-h per tumour genome, 16 cores. */
export const STRELKA_MANTA = stage({
  name: 'sv', kernel: 'call', cores: 16, memMb: 16 * GB, coreHoursPerUnit: 12,
});
/** Filter, merge and annotate the somatic calls. Assumption: 4 core-h, 4 cores, 8 GB. */
export const SOMATIC_GATHER = stage({ name: 'gather', kernel: 'gather', cores: 4, memMb: 8 * GB, fixedCoreHours: 4 });

// ------------------------------------------------------------ research

/**
 * DeepVariant on a stored 30x WGS: ~340 vCPU-h (DeepVariant docs/metrics.md: whole-machine wall time
 * make_examples ~107 min, call_variants ~173 min, postprocess_variants ~30 min). make_examples and
 * call_variants use all their cores; postprocess_variants is single-threaded, so it holds 2 cores
 * for ~30 min instead of a whole machine.
 */
const DV_CORE_HOURS = 340;
const DV_WALL_MIN = { makeExamples: 107, callVariants: 173, postprocess: 30 };
const DV_PARALLEL_MIN = DV_WALL_MIN.makeExamples + DV_WALL_MIN.callVariants + DV_WALL_MIN.postprocess;
export const DV_MAKE_EXAMPLES = stage({
  name: 'examples', kernel: 'call', cores: 16, memMb: 16 * GB, shards: 8,
  coreHoursPerUnit: (DV_CORE_HOURS * DV_WALL_MIN.makeExamples) / DV_PARALLEL_MIN,
});
export const DV_CALL_VARIANTS = stage({
  name: 'dv-call', kernel: 'call', cores: 32, memMb: 32 * GB, overheadS: 60,
  coreHoursPerUnit: (DV_CORE_HOURS * DV_WALL_MIN.callVariants) / DV_PARALLEL_MIN,
});
export const DV_POSTPROCESS = stage({
  name: 'postprocess', kernel: 'gather', cores: 2, memMb: 16 * GB,
  coreHoursPerUnit: (2 * DV_WALL_MIN.postprocess) / 60,
});

/** Cohort joint genotyping (GenotypeGVCFs over k samples). Assumption: 1.5 core-h per sample, 24 shards. */
export const COHORT_GENOTYPE = stage({
  name: 'genotype', kernel: 'call', cores: 4, memMb: 16 * GB, coreHoursPerUnit: 1.5, shards: 24,
});
/** Gather the cohort VCF. Assumption: 1 core-h + 0.02 per sample, 4 cores, 16 GB. */
export const COHORT_GATHER = stage({
  name: 'gather', kernel: 'gather', cores: 4, memMb: 16 * GB, coreHoursPerUnit: 0.02, fixedCoreHours: 1,
});

// ------------------------------------------------------------ run-time spread and time limits

/** Run-to-run spread of a task around its modelled duration (assumption: lognormal, log-sd 0.2). */
export const DURATION_SIGMA = 0.2;
/** Clamp of that spread: a task never runs past DURATION_MAX times its expectation (< the limit). */
export const DURATION_MIN = 0.4;
export const DURATION_MAX = 2.5;
/** Users ask for a safe multiple of the expected run time, rounded up to a quarter hour. */
export const TIME_LIMIT_FACTOR = 3;
export const TIME_LIMIT_ROUND_MS: Ms = 15 * MINUTE_MS;
export const TIME_LIMIT_MIN_MS: Ms = 30 * MINUTE_MS;
/** The partitions' maxTimeMs in the default cluster config (7 days). */
export const TIME_LIMIT_MAX_MS: Ms = 7 * 24 * HOUR_MS;
/** Failed tasks are retried once with doubled memory (nf-core/sarek `task.attempt`). */
export const RETRIES = 1;

/** The time limit a user would request for a task expected to run `expectedMs`. */
export function timeLimitFor(expectedMs: Ms): Ms {
  const raw = Math.ceil((TIME_LIMIT_FACTOR * expectedMs) / TIME_LIMIT_ROUND_MS) * TIME_LIMIT_ROUND_MS;
  return Math.min(TIME_LIMIT_MAX_MS, Math.max(TIME_LIMIT_MIN_MS, raw));
}
