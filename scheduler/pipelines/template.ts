// An analysis from its pipeline template: the class's DAG with the cost model's resources and
// modelled durations, its QoS, partition and purpose, and the lab's account and owner. The live
// scheduler (POST /api/v1/analyses, /runs) and the simulator's workload build jobs here, so a
// class means the same DAG in both.
import type { JobSpec } from '../core/index.js';
import { LAB_OWNER, PARTITIONS, RESEARCH_ACCOUNT, RESEARCH_OWNER, type Lab } from './accounts.js';
import { CLASSES, type NgcClass } from './classes.js';
import { Dag } from './dag.js';
import { PipelineError } from './errors.js';
import { Rng } from '../../common/index.js';

/** The random stream of an analysis's modelled durations (one seed, several streams). */
export const DURATION_STREAM = 3;

export const LABS: readonly Lab[] = ['east', 'west'];

/** One analysis to build. */
export interface AnalysisRequest {
  class: string;
  pseudonyms: readonly string[];
  /** East (Rigshospitalet) or West (Aarhus); default east. Picks the owner and default account. */
  lab?: Lab;
  /** Default: the lab's genetics department, its oncology department for cancer pairs, or the research account. */
  account?: string;
  /** Default: `<class>-<first pseudonym>`. */
  name?: string;
  /**
   * Seed of the modelled durations and coverage (a non-negative safe integer): the same seed gives
   * the same tasks. Absent: the nominal analysis (mean coverage, no run-to-run spread).
   */
  seed?: number;
}

const BY_NAME = new Map(CLASSES.map((c) => [c.name, c]));

export function analysisClass(name: string): NgcClass {
  const cls = BY_NAME.get(name);
  if (!cls) throw new PipelineError('UNKNOWN_CLASS', 'class', `unknown analysis class ${JSON.stringify(name)}; known: ${CLASSES.map((c) => c.name).join(', ')}`);
  return cls;
}

/** How many pseudonyms an analysis of this class reads: [least, most]. */
export function pseudonymRange(cls: NgcClass): [number, number] {
  const p = cls.patients;
  if (p.kind === 'new') return [p.count, p.count];
  if (p.kind === 'earlier') return [1, 1];
  return [1, p.max];
}

export function defaultAccount(cls: NgcClass, lab: Lab): string {
  if (cls.purpose === 'research') return RESEARCH_ACCOUNT;
  if (cls.cancer) return lab === 'east' ? 'rh-oncology' : 'auh-oncology';
  return lab === 'east' ? 'rh-genetics' : 'auh-genetics';
}

/** Checks a request and builds its job (PipelineError naming the field when it cannot). */
export function buildAnalysis(req: AnalysisRequest): JobSpec {
  const cls = analysisClass(req.class);
  const lab = req.lab ?? 'east';
  if (!LABS.includes(lab)) throw new PipelineError('UNKNOWN_LAB', 'lab', `unknown lab ${JSON.stringify(lab)}; expected east or west`);
  const [lo, hi] = pseudonymRange(cls);
  const n = req.pseudonyms.length;
  if (n < lo || n > hi) {
    const want = lo === hi ? `exactly ${lo}` : `${lo} to ${hi}`;
    throw new PipelineError('PSEUDONYM_COUNT', 'pseudonyms', `a ${cls.name} analysis reads ${want} pseudonym${hi === 1 ? '' : 's'}, got ${n}`);
  }
  if (req.seed !== undefined && !(Number.isSafeInteger(req.seed) && req.seed >= 0)) {
    throw new PipelineError('INVALID_SEED', 'seed', `seed must be a non-negative integer, got ${String(req.seed)}`);
  }
  const rng = req.seed === undefined ? null : new Rng(req.seed, DURATION_STREAM);
  return analysisJob(cls, {
    name: req.name ?? `${cls.name}-${req.pseudonyms[0] ?? 'none'}`,
    pseudonyms: [...req.pseudonyms],
    account: req.account ?? defaultAccount(cls, lab),
    owner: cls.purpose === 'research' ? RESEARCH_OWNER : LAB_OWNER[lab],
    rng,
  });
}

/** The job of one analysis of `cls`, its durations drawn from `rng` (null: nominal). */
export function analysisJob(
  cls: NgcClass,
  o: { name: string; pseudonyms: string[]; account: string; owner: string; rng: Rng | null },
): JobSpec {
  const dag = new Dag(o.rng);
  cls.pipeline(dag, { rng: o.rng, samples: o.pseudonyms.length });
  const research = cls.purpose === 'research';
  return {
    name: o.name,
    owner: o.owner,
    account: o.account,
    partition: research ? PARTITIONS.research : PARTITIONS.clinical,
    qos: cls.qos,
    purpose: cls.purpose,
    pseudonyms: o.pseudonyms,
    tasks: dag.tasks,
    class: cls.name,
  };
}
