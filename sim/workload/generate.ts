// The NGC workload generator: merges the continuous clinical stream with the batched campaigns
// (reanalyses, research studies) in time order, and builds each analysis as one DAG job.
import type { Ms } from '../../scheduler/core/index.js';
import {
  CLASSES,
  DURATION_STREAM,
  HOUR_MS,
  LAB_OWNER,
  RESEARCH_ACCOUNT,
  RESEARCH_OWNER,
  Rng,
  hash2,
  analysisJob,
  pickAccount,
  type NgcClass,
} from '../../scheduler/pipelines/index.js';
import { arrivalTimes, DAY_MS, nextWorkingMorning, RAMP_MS } from './arrivals.js';
import { PatientRegistry, type ConsentEvent } from './patients.js';
import type { NgcOptions, WorkloadItem } from './types.js';

/** Submissions within a batch are this far apart (a script submitting one analysis after another). */
const CAMPAIGN_GAP_MS: Ms = 30_000;
const YEAR_MS: Ms = 365.25 * DAY_MS;

// Independent random streams of one seed.
const ARRIVALS = 1;
const JOBS = 2;
const DURATIONS = 3;
const CONSENT = 4;
const CAMPAIGNS = 5;

/** A batch class's submissions: campaign start times and sizes, walked in order. */
class Campaigns {
  private k = 0;
  private j = 0;
  private t: Ms;

  constructor(
    readonly cls: NgcClass,
    private readonly starts: Ms[],
    private readonly sizes: number[],
  ) {
    this.t = starts[0] ?? Infinity;
  }

  get nextAt(): Ms {
    return this.t;
  }

  advance(): void {
    this.j++;
    if (this.j < (this.sizes[this.k] ?? 0)) {
      this.t += CAMPAIGN_GAP_MS;
      return;
    }
    this.k++;
    this.j = 0;
    // A batch never starts before the previous one has been submitted.
    this.t = this.k < this.starts.length ? Math.max(this.starts[this.k] as number, this.t + CAMPAIGN_GAP_MS) : Infinity;
  }
}

function campaignsFor(cls: NgcClass, count: number, horizonMs: Ms, rng: Rng): Campaigns {
  const { everyDays, maxSize } = cls.campaign ?? { everyDays: 1, maxSize: 1 };
  const batches =
    count === 0 ? 0 : Math.min(count, Math.max(1, Math.round(horizonMs / (everyDays * DAY_MS)), Math.ceil(count / maxSize)));
  // Batches wait for a pool of earlier patients: after the first year, or a quarter of a short horizon.
  const from = horizonMs >= 2 * YEAR_MS ? YEAR_MS : horizonMs / 4;
  const span = (horizonMs - from) / Math.max(1, batches);
  const starts: Ms[] = [];
  const sizes: number[] = [];
  for (let k = 0; k < batches; k++) {
    starts.push(nextWorkingMorning(from + (k + rng.uniform(0.1, 0.9)) * span, rng));
    sizes.push(Math.floor(count / batches) + (k < count % batches ? 1 : 0));
  }
  return new Campaigns(cls, starts, sizes);
}

export function* generateNgc(opts: NgcOptions): Generator<WorkloadItem, void, void> {
  const n = opts.analyses;
  const burst = opts.scenario === 'burst';
  const hours =
    opts.perDay !== undefined
      ? Math.max(1, Math.round((n / opts.perDay) * 24))
      : Math.max(1, Math.round(((opts.years ?? 4.5) * YEAR_MS) / HOUR_MS));
  const rampHours = opts.perDay !== undefined ? 0 : Math.min(hours, RAMP_MS / HOUR_MS);
  const horizonMs = hours * HOUR_MS;

  const campaignRng = new Rng(opts.seed, CAMPAIGNS);
  const batches: Campaigns[] = [];
  let batched = 0;
  for (const cls of CLASSES) {
    if (cls.campaign === undefined) continue;
    const count = Math.round(cls.share * n);
    batched += count;
    batches.push(campaignsFor(cls, count, horizonMs, campaignRng));
  }
  const continuous = CLASSES.filter((c) => c.campaign === undefined);
  const continuousShare = continuous.reduce((s, c) => s + c.share, 0);

  const clinical = arrivalTimes(n - batched, hours, rampHours, new Rng(opts.seed, ARRIVALS));
  let clinicalAt: Ms = nextOf(clinical);
  const jobRng = new Rng(opts.seed, JOBS);
  const patients = new PatientRegistry(opts.seed, new Rng(opts.seed, CONSENT), !burst);

  for (let seq = 0; seq < n; seq++) {
    // The earliest source; the clinical stream wins ties, then classes in table order.
    let at = clinicalAt;
    let batch: Campaigns | null = null;
    for (const b of batches) {
      if (b.nextAt < at) {
        at = b.nextAt;
        batch = b;
      }
    }
    let cls: NgcClass;
    if (batch) {
      cls = batch.cls;
      batch.advance();
    } else {
      cls = pickClass(continuous, continuousShare, jobRng);
      clinicalAt = nextOf(clinical);
    }

    const consent: ConsentEvent[] = [];
    if (!burst) patients.applyDue(at, consent);
    const pseudonyms = patientsFor(cls, patients, at, consent, jobRng);
    const research = cls.purpose === 'research';
    const { account, lab } = research ? { account: RESEARCH_ACCOUNT, lab: null } : pickAccount(jobRng, cls.cancer);
    // Each analysis draws its durations from its own seed, so the live scheduler builds the same
    // tasks from the template given the class, the pseudonyms and that seed (bench:ngc does).
    const seed = hash2(hash2(opts.seed, DURATIONS), seq);
    const job = analysisJob(cls, {
      name: `${cls.name}-${String(seq + 1).padStart(6, '0')}`,
      owner: lab ? LAB_OWNER[lab] : RESEARCH_OWNER,
      account,
      pseudonyms,
      rng: new Rng(seed, DURATION_STREAM),
    });
    const item: WorkloadItem = { submitAt: burst ? 0 : at, job, seed };
    if (consent.length > 0) item.consent = consent;
    yield item;
  }
}

function nextOf(it: Iterator<Ms, void, void>): Ms {
  const r = it.next();
  return r.done ? Infinity : r.value;
}

function pickClass(classes: readonly NgcClass[], total: number, rng: Rng): NgcClass {
  let x = rng.next() * total;
  for (const c of classes) if ((x -= c.share) < 0) return c;
  return classes[classes.length - 1] as NgcClass;
}

/** The pseudonyms an analysis reads; new patients' consents are appended to `consent`. */
function patientsFor(cls: NgcClass, reg: PatientRegistry, at: Ms, consent: ConsentEvent[], rng: Rng): string[] {
  const p = cls.patients;
  let ids: number[];
  if (p.kind === 'new') {
    ids = [];
    for (let i = 0; i < p.count; i++) ids.push(reg.admit(at, consent));
  } else if (p.kind === 'earlier') {
    ids = reg.pick(1, (s) => s !== 'withdrawn', rng);
    // No earlier patient yet (the centre's first days): a patient referred for reanalysis of outside data.
    if (ids.length === 0) ids.push(reg.admit(at, consent));
  } else {
    const k = p.min + rng.int(p.max - p.min + 1);
    ids = reg.pick(k, (s) => s === 'granted', rng);
    // Nobody has granted research use yet: a research participant consents to this study.
    if (ids.length === 0) ids.push(reg.admit(at, consent, 'granted'));
  }
  for (const i of ids) reg.use(i, at);
  return ids.map((i) => reg.pseudonym(i));
}
