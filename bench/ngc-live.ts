// The live side of bench:ngc: a workload sent to a running scheduler the way the labs send
// it (consent first, then sequencing runs of up to RUN_SIZE new samples; reanalyses and
// research one analysis each through POST /api/v1/analyses), in the workload's order, then
// waited for and measured from the scheduler's own metrics (modelled time).
import type { ApiClient, RunBody } from '../cli/index.js';
import type { WorkloadItem } from '../sim/index.js';
import { analysisClass } from '../scheduler/pipelines/index.js';
import { metricSum } from './prom.js';

/** Samples per sequencing run (a NovaSeq S4 flow cell holds about 48 30x genomes; two lanes' worth of smaller libraries). */
export const RUN_SIZE = 96;
const CONSENT_CONCURRENCY = 48;

export interface Progress {
  (line: string): void;
}

/** The lab that sent an item, from its owner (the lab's pipeline). */
function labOf(item: WorkloadItem): 'east' | 'west' {
  return item.job.owner === 'pipeline-west' ? 'west' : 'east';
}

/** New samples come from sequencing runs; reanalyses and research read stored data. */
function fromSequencer(item: WorkloadItem): boolean {
  return analysisClass(item.job.class as string).patients.kind === 'new';
}

/** Every consent the items carry, posted with some concurrency (order does not matter: one record per patient). */
export async function postConsents(client: ApiClient, items: readonly WorkloadItem[], progress: Progress): Promise<number> {
  const all = items.flatMap((i) => i.consent ?? []);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONSENT_CONCURRENCY }, async () => {
      while (next < all.length) {
        const c = all[next++] as { pseudonym: string; status: string };
        // The workload's consent is written consent: each record names its (synthetic) document.
        await client.request('POST', '/api/v1/consent', { ...c, documentRef: `ngc-consent-${c.pseudonym}` });
        if (++done % 5000 === 0) progress(`consent ${done}/${all.length}`);
      }
    }),
  );
  return all.length;
}

export interface Intake {
  runs: number;
  analysesPosted: number;
  submitted: number;
  refused: number;
  /** Job ids in workload order (refused samples absent). */
  jobIds: number[];
}

/**
 * Submits the items as the labs would: each lab fills its own sequencing run with its new
 * samples (in workload order) and sends it when it holds RUN_SIZE; reanalyses and research go
 * one by one, after the runs filled so far. East and West samples interleave in the workload,
 * so a run per stretch of one lab's samples would hold about two.
 */
export async function submitAsRuns(client: ApiClient, items: readonly WorkloadItem[], runPrefix: string, progress: Progress): Promise<Intake> {
  const out: Intake = { runs: 0, analysesPosted: 0, submitted: 0, refused: 0, jobIds: [] };
  const open: Record<'east' | 'west', RunBody['samples']> = { east: [], west: [] };
  const flush = async (lab: 'east' | 'west'): Promise<void> => {
    const samples = open[lab];
    if (samples.length === 0) return;
    open[lab] = [];
    const r = await client.submitRun({ run: `${runPrefix}-${String(out.runs + 1).padStart(5, '0')}`, lab, samples });
    out.runs++;
    out.submitted += r.submitted;
    out.refused += r.refused;
    for (const a of r.analyses) if (a.jobId !== undefined) out.jobIds.push(a.jobId);
  };
  for (const [i, it] of items.entries()) {
    if (fromSequencer(it)) {
      const lab = labOf(it);
      const p = it.job.pseudonyms;
      open[lab].push({ class: it.job.class as string, ...(p.length === 1 ? { pseudonym: p[0] as string } : { pseudonyms: p }), account: it.job.account, seed: it.seed });
      if (open[lab].length >= RUN_SIZE) await flush(lab);
    } else {
      await flush('east');
      await flush('west');
      const r = await client.submitAnalysis({ class: it.job.class as string, pseudonyms: it.job.pseudonyms, account: it.job.account, lab: labOf(it), seed: it.seed, name: it.job.name });
      out.analysesPosted++;
      out.submitted++;
      out.jobIds.push(r.jobIds[0] as number);
    }
    if ((i + 1) % 1000 === 0) progress(`submitted ${i + 1}/${items.length} (${out.runs} runs, ${out.analysesPosted} single analyses)`);
  }
  await flush('east');
  await flush('west');
  progress(`submitted ${items.length}/${items.length} (${out.runs} runs, ${out.analysesPosted} single analyses)`);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until nothing is pending or running; reports progress every poll. */
export async function waitIdle(client: ApiClient, total: number, timeoutS: number, progress: Progress, pollMs = 1000): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const c = await client.cluster();
    const open = c.pendingJobs + c.runningJobs;
    const s = (performance.now() - t0) / 1000;
    progress(`${total - open}/${total} analyses done, ${c.runningTasks} tasks running on ${c.coresUsed}/${c.cores} cores, ${s.toFixed(0)} s`);
    if (open === 0 && c.pendingTasks + c.runningTasks === 0) return;
    if (s > timeoutS) throw new Error(`not done within ${timeoutS} s (${open} analyses open)`);
    await sleep(pollMs);
  }
}

/** What the twin check compares, in modelled seconds. */
export interface RunFigures {
  analyses: number;
  makespan_s: number;
  mean_turnaround_s: number;
  utilization: number;
  wall_s: number;
  energy_kwh: number | null;
  heat_recovered_kwh: number | null;
}

/**
 * Figures from /metrics after the run: completed jobs and their summed turnaround (histogram
 * count and sum), task core-seconds, the latest end; the first submission from job `firstId`.
 */
export async function liveFigures(client: ApiClient, url: string, firstId: number, cores: number, wallS: number): Promise<RunFigures & { completed: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const completed = metricSum(text, 'gsched_jobs_ended_total', { state: 'COMPLETED' });
  const sum = metricSum(text, 'gsched_job_turnaround_seconds_sum', {});
  const count = metricSum(text, 'gsched_job_turnaround_seconds_count', {});
  const coreS = metricSum(text, 'gsched_task_core_seconds_total', {});
  const lastEndS = metricSum(text, 'gsched_last_job_end_seconds', {});
  const first = await client.getJob(String(firstId));
  const makespan = lastEndS - first.submittedAt / 1000;
  return {
    analyses: count,
    completed,
    makespan_s: Math.round(makespan),
    mean_turnaround_s: Math.round(sum / count),
    utilization: Math.round((coreS / (cores * makespan)) * 10_000) / 10_000,
    wall_s: Math.round(wallS * 10) / 10,
    energy_kwh: null,
    heat_recovered_kwh: null,
  };
}
