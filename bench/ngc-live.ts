// The live side of bench:ngc: a workload sent to a running scheduler the way the labs send
// it (consent first, then sequencing runs of up to RUN_SIZE new samples; reanalyses and
// research one analysis each through POST /api/v1/analyses), in the workload's order, then
// waited for and measured from the scheduler's own metrics (modelled time).
import type { AnalysisBody, ApiClient, ClusterResponse, RunBody, RunResponse, SubmitResponse } from '../cli/index.js';
import type { WorkloadItem } from '../sim/index.js';
import { WAITING_TASKS } from '../scheduler/driver/index.js';
import { analysisClass } from '../scheduler/pipelines/index.js';
import { metricSum } from './prom.js';

/**
 * `gsched up` flags for the bench's scheduler. The per-token rate limit (200/s by default) is
 * lifted: the bench's one token stands for both labs' pipelines and the consent officer sending
 * a centre's backlog at once, and the limit guards against a runaway client, not intake. Logs
 * at warn: at info each HTTP request writes two lines (CPR scrub, synchronous write), about
 * a millisecond of the scheduler's time per request here, which is most of a consent's cost.
 */
export const BENCH_UP_ARGS = ['--rate-limit', '1000000', '--rate-burst', '1000000', '--log-level', 'warn'];

/** Samples per sequencing run (a NovaSeq S4 flow cell holds about 48 30x genomes; two lanes' worth of smaller libraries). */
export const RUN_SIZE = 96;
const CONSENT_CONCURRENCY = 128;
/** Connections a JsonPoster for consent and intake keeps (the most requests either has in flight). */
export const POSTER_SOCKETS = CONSENT_CONCURRENCY;

export interface Progress {
  (line: string): void;
}

/** What consent and intake need of a client: POST a JSON body, get the 2xx answer (bench/json-poster.ts). */
export interface Poster {
  post<T>(path: string, body: unknown): Promise<T>;
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
export async function postConsents(client: Poster, items: readonly WorkloadItem[], progress: Progress): Promise<number> {
  const all = items.flatMap((i) => i.consent ?? []);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONSENT_CONCURRENCY }, async () => {
      while (next < all.length) {
        const c = all[next++] as { pseudonym: string; status: string };
        // The workload's consent is written consent: each record names its (synthetic) document.
        await client.post('/api/v1/consent', { ...c, documentRef: `ngc-consent-${c.pseudonym}` });
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
  /** The live job id of each item, by the item's index in the workload (-1: refused). */
  jobIdOf: number[];
}

/**
 * Requests in flight at once during intake: the labs' pipelines do not wait for each other,
 * and the scheduler's journal commits many together (2,000 analyses at a load of 18: 43 s with
 * 8 in flight, 20 s with 32).
 */
const INTAKE_CONCURRENCY = 32;

/**
 * Submits the items as the labs would: each lab fills its own sequencing run with its new
 * samples (in workload order) and sends it when it holds RUN_SIZE; reanalyses and research go
 * one by one as they come. Up to INTAKE_CONCURRENCY requests are in flight, so the order the
 * scheduler files them in is close to, not exactly, the workload's; the twin replays the
 * order and times the scheduler recorded.
 */
export async function submitAsRuns(client: Poster, items: readonly WorkloadItem[], runPrefix: string, progress: Progress): Promise<Intake> {
  const out: Intake = { runs: 0, analysesPosted: 0, submitted: 0, refused: 0, jobIds: [], jobIdOf: new Array<number>(items.length).fill(-1) };
  const open: Record<'east' | 'west', { samples: RunBody['samples']; idx: number[] }> = { east: { samples: [], idx: [] }, west: { samples: [], idx: [] } };
  const inFlight = new Set<Promise<void>>();
  let failed: Error | null = null;
  const send = async (work: () => Promise<void>): Promise<void> => {
    while (inFlight.size >= INTAKE_CONCURRENCY) await Promise.race(inFlight);
    if (failed) throw failed;
    const p: Promise<void> = work().catch((err: Error) => {
      failed ??= err;
    });
    const tracked = p.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const flush = async (lab: 'east' | 'west'): Promise<void> => {
    const { samples, idx } = open[lab];
    if (samples.length === 0) return;
    open[lab] = { samples: [], idx: [] };
    const run = `${runPrefix}-${String(++out.runs).padStart(5, '0')}`;
    await send(async () => {
      const body: RunBody = { run, lab, samples };
      const r = await client.post<RunResponse>('/api/v1/runs', body);
      out.submitted += r.submitted;
      out.refused += r.refused;
      for (const a of r.analyses) if (a.jobId !== undefined) out.jobIdOf[idx[a.sample] as number] = a.jobId;
    });
  };
  for (const [i, it] of items.entries()) {
    if (fromSequencer(it)) {
      const lab = labOf(it);
      const p = it.job.pseudonyms;
      open[lab].samples.push({ class: it.job.class as string, ...(p.length === 1 ? { pseudonym: p[0] as string } : { pseudonyms: p }), account: it.job.account, seed: it.seed });
      open[lab].idx.push(i);
      if (open[lab].samples.length >= RUN_SIZE) await flush(lab);
    } else {
      out.analysesPosted++;
      await send(async () => {
        const body: AnalysisBody = { class: it.job.class as string, pseudonyms: it.job.pseudonyms, account: it.job.account, lab: labOf(it), seed: it.seed, name: it.job.name };
        const r = await client.post<SubmitResponse>('/api/v1/analyses', body);
        out.submitted++;
        out.jobIdOf[i] = r.jobIds[0] as number;
      });
    }
    if ((i + 1) % 1000 === 0) progress(`submitted ${i + 1}/${items.length} (${out.runs} runs, ${out.analysesPosted} single analyses)`);
  }
  await flush('east');
  await flush('west');
  await Promise.all(inFlight);
  if (failed) throw failed;
  out.jobIds = out.jobIdOf.filter((id) => id >= 0);
  progress(`submitted ${items.length}/${items.length} (${out.runs} runs, ${out.analysesPosted} single analyses)`);
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until nothing is pending or running; reports progress every poll (and gives each poll's view to `onPoll`). */
export async function waitIdle(client: ApiClient, total: number, timeoutS: number, progress: Progress, pollMs = 1000, onPoll?: (c: ClusterResponse) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  for (;;) {
    const c = await client.cluster();
    await onPoll?.(c);
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

/** One ended job as the scheduler's accounting recorded it (modelled ms). */
export interface AcctJob {
  id: number;
  state: string;
  submit: number;
  start: number | null;
  end: number | null;
  coreHours: number;
}

/** Every job's accounting row, in one request (the run's jobs have all ended). */
export async function accountingOf(client: ApiClient): Promise<AcctJob[]> {
  const r = await client.request<{ jobs: AcctJob[]; truncated: boolean }>('GET', '/api/v1/accounting?limit=100000');
  if (r.truncated) throw new Error('the accounting answer was cut at 100,000 jobs; the bench reads one page');
  return r.jobs;
}

/** Makespan (first submission to last end), mean turnaround and utilization of `jobs`, as the scheduler recorded them. */
export function figuresOfAcct(jobs: readonly AcctJob[], cores: number, wallS: number): RunFigures & { completed: number } {
  let first = Infinity;
  let last = -Infinity;
  let turnaround = 0;
  let coreS = 0;
  let completed = 0;
  for (const j of jobs) {
    first = Math.min(first, j.submit);
    last = Math.max(last, j.end ?? -Infinity);
    turnaround += (j.end ?? j.submit) - j.submit;
    coreS += j.coreHours * 3600;
    if (j.state === 'COMPLETED') completed++;
  }
  const makespanS = (last - first) / 1000;
  return {
    analyses: completed,
    completed,
    makespan_s: Math.round(makespanS),
    mean_turnaround_s: Math.round(turnaround / jobs.length / 1000),
    utilization: Math.round((coreS / (cores * makespanS)) * 10_000) / 10_000,
    wall_s: Math.round(wallS * 10) / 10,
    energy_kwh: null,
    heat_recovered_kwh: null,
  };
}

/** Each item's live submission, in modelled ms after the first (items refused live: -1). */
export function submitOffsets(jobs: readonly AcctJob[], jobIdOf: readonly number[]): number[] {
  const at = new Map(jobs.map((j) => [j.id, j.submit]));
  const first = Math.min(...jobs.map((j) => j.submit));
  return jobIdOf.map((id) => (id < 0 ? -1 : (at.get(id) ?? first) - first));
}

/**
 * Where live tasks lose time against their model, from up to `sample` jobs' records: each
 * attempt's run on the scheduler's clock (start decision to completion applied) less its
 * modelled duration, split into the agent's share (its measured wall time, from accepting the
 * assignment, less the modelled duration: negative by the start's wait the agent deducted from
 * its hold, PROTOCOL.md section 10) and the rest (dispatch, reporting, the scheduler's event
 * loop), in wall ms.
 */
export async function taskLag(client: ApiClient, jobIds: readonly number[], timeScale: number, sample = 200): Promise<{ lag_tasks: number; lag_agent_wall_ms_p50: number; lag_agent_wall_ms_p90: number; lag_scheduler_wall_ms_p50: number; lag_scheduler_wall_ms_p90: number; lag_run_stretch: number }> {
  const agent: number[] = [];
  const sched: number[] = [];
  let live = 0;
  let modelled = 0;
  const step = Math.max(1, Math.floor(jobIds.length / sample));
  for (let i = 0; i < jobIds.length; i += step) {
    const j = await client.getJob(String(jobIds[i]));
    const res = new Map((j.results ?? []).map((r) => [r.taskId, r]));
    for (const t of j.tasks) {
      const r = res.get(t.id);
      if (!r || t.startedAt === null || t.endedAt === null || t.durationMs === null) continue;
      agent.push(r.wallMs - t.durationMs * timeScale);
      sched.push((t.endedAt - t.startedAt) * timeScale - r.wallMs);
      live += t.endedAt - t.startedAt;
      modelled += t.durationMs;
    }
  }
  const q = (xs: number[], p: number): number => {
    const s = [...xs].sort((a, b) => a - b);
    return Math.round(s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? 0);
  };
  // How much longer the sampled tasks held their cores live than modelled (0.05: 5% longer).
  const stretch = modelled === 0 ? 0 : Math.round((live / modelled - 1) * 1000) / 1000;
  return { lag_tasks: agent.length, lag_agent_wall_ms_p50: q(agent, 0.5), lag_agent_wall_ms_p90: q(agent, 0.9), lag_scheduler_wall_ms_p50: q(sched, 0.5), lag_scheduler_wall_ms_p90: q(sched, 0.9), lag_run_stretch: stretch };
}

/**
 * What the scheduler's own metrics say about its pauses while a run goes on: its garbage
 * collections (prom-client's GC family: time by kind, and how many pauses took 100 ms or 1 s
 * and more) and, polled about once a second, the longest delay of its event loop since the
 * previous poll. A poll that finds most cores idle while plenty of work waits is a dip; the bench
 * says how many dips followed a stall of the event loop (the loop blocked, completions unread),
 * and the mean share of cores busy over the polls that found 10,000 or more tasks waiting.
 */
export class PauseWatch {
  private gc0: Record<string, number> | null = null;
  polls = 0;
  stallsOver1s = 0;
  stallsOver250ms = 0;
  maxStallS = 0;
  dips = 0;
  dipsAfterStall = 0;
  /** Polls with 10,000+ tasks waiting, and the share of cores busy summed over them. */
  private busyPolls = 0;
  private busySum = 0;
  private busyBelow80 = 0;

  constructor(private readonly metrics: () => Promise<string>) {}

  /** GC seconds by kind, and pauses over 0.1 s and 1 s, from one scrape. */
  private static gc(text: string): Record<string, number> {
    const name = 'gsched_process_nodejs_gc_duration_seconds';
    const out: Record<string, number> = {};
    for (const kind of ['minor', 'major', 'incremental', 'weakcb']) out[`gc_${kind}_s`] = metricSum(text, `${name}_sum`, { kind });
    const count = metricSum(text, `${name}_count`);
    out.gc_pauses = count;
    out.gc_pauses_over_100ms = count - metricSum(text, `${name}_bucket`, { le: '0.1' });
    out.gc_pauses_over_1s = count - metricSum(text, `${name}_bucket`, { le: '1' });
    return out;
  }

  async start(): Promise<void> {
    this.gc0 = PauseWatch.gc(await this.metrics());
  }

  /** One poll: the event loop's longest delay since the last, and whether the cluster sits idle with work waiting. */
  async poll(c: ClusterResponse): Promise<void> {
    const lag = metricSum(await this.metrics(), 'gsched_process_nodejs_eventloop_lag_max_seconds');
    this.polls++;
    this.maxStallS = Math.max(this.maxStallS, lag);
    if (lag >= 1) this.stallsOver1s++;
    if (lag >= 0.25) this.stallsOver250ms++;
    if (c.pendingTasks >= WAITING_TASKS) {
      // With this much waiting, the simulator refills a core the instant it frees: here the
      // shortfall is cores freed and not yet refilled (or reported free late).
      this.busyPolls++;
      this.busySum += c.coresUsed / c.cores;
      if (c.coresUsed < 0.8 * c.cores) this.busyBelow80++;
    }
    if (c.coresUsed < c.cores / 4 && c.pendingTasks >= WAITING_TASKS) {
      this.dips++;
      if (lag >= 0.25) this.dipsAfterStall++;
    }
  }

  async figures(): Promise<Record<string, number>> {
    const gc1 = PauseWatch.gc(await this.metrics());
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(gc1)) out[k] = Math.round((v - (this.gc0?.[k] ?? 0)) * 10) / 10;
    return { ...out, loop_polls: this.polls, loop_stalls_over_1s: this.stallsOver1s, loop_stalls_over_250ms: this.stallsOver250ms, loop_max_stall_s: Math.round(this.maxStallS * 100) / 100, idle_dips: this.dips, idle_dips_after_stall: this.dipsAfterStall, busy_polls: this.busyPolls, busy_share_while_waiting: this.busyPolls === 0 ? 0 : Math.round((this.busySum / this.busyPolls) * 1000) / 1000, busy_polls_below_80pct: this.busyBelow80 };
  }
}
