// A trace as a workload for the engine: each SWF job is one gsched job of one task on a flat
// machine of MaxProcs interchangeable processors, using the Parallel Workloads Archive's usual
// replay conventions (the ones the pyss reference results use; see sim/traces/README.md).
import type { JobSpec, JobState } from '../../scheduler/core/index.js';
import type { Submission } from '../engine/index.js';
import type { JobRecord } from '../metrics/collector.js';
import { SwfError } from '../errors.js';
import type { SwfJob, SwfTrace } from './format.js';

export interface SwfReplay {
  maxProcs: number;
  /** Submissions sorted by time (file order among equal times). */
  items: Submission[];
  /** The trace line behind each submission, by job name (the SWF job number). */
  byName: Map<string, SwfJob>;
  /** Lines the conventions skip, with why. */
  skipped: { line: number; jobNumber: number; why: string }[];
}

export interface ReplayOptions {
  /** Overrides the header's MaxProcs. */
  maxProcs?: number;
  /**
   * Which processor count to use. `requested` (default): field 8, or field 5 where field 8 is not
   * positive. `allocated`: field 5, or field 8 where field 5 is not positive (what pyss reads).
   */
  procs?: 'requested' | 'allocated';
}

/** Turns a parsed trace into engine submissions. `file` names it in errors. */
export function swfReplay(trace: SwfTrace, file: string, opts: ReplayOptions = {}): SwfReplay {
  const maxProcs = opts.maxProcs ?? trace.header.maxProcs;
  if (maxProcs === null || !Number.isInteger(maxProcs) || maxProcs < 1) {
    const found = maxProcs === null ? 'no "; MaxProcs:" header' : `"; MaxProcs: ${maxProcs}" is not a positive whole number`;
    throw new SwfError(file, 0, `${found}; the machine size must be known to replay`);
  }
  const preferAllocated = opts.procs === 'allocated';
  const skipped: SwfReplay['skipped'] = [];
  const items: Submission[] = [];
  const byName = new Map<string, SwfJob>();
  for (const j of trace.jobs) {
    const first = preferAllocated ? j.allocatedProcs : j.requestedProcs;
    const second = preferAllocated ? j.requestedProcs : j.allocatedProcs;
    const procs = Math.min(maxProcs, first > 0 ? first : second);
    const why =
      j.runTime <= 0 ? 'run time (field 4) ≤ 0' : procs <= 0 ? 'no positive processor count (fields 8 and 5)' : j.submitTime < 0 ? 'negative submit time (field 2)' : null;
    if (why !== null) {
      skipped.push({ line: j.line, jobNumber: j.jobNumber, why });
      continue;
    }
    const name = String(j.jobNumber);
    if (byName.has(name)) throw new SwfError(file, j.line, `job number ${name} appears twice`);
    byName.set(name, j);
    // Seconds, whole (as pyss truncates). Written literally, an unknown request (-1) simulates a
    // 1 s run: the convention, not a guess; such lines are rare in cleaned archive traces.
    const run = Math.trunc(j.runTime);
    const requested = Math.trunc(j.requestedTime);
    const estimate = Math.max(1, requested < run ? run : requested);
    const simulated = Math.max(1, run > requested ? requested : run);
    const job: JobSpec = {
      name,
      owner: j.userId > 0 ? `u${j.userId}` : 'swf',
      account: 'swf',
      partition: 'batch',
      qos: 'normal',
      purpose: 'research',
      pseudonyms: [],
      tasks: [{ cores: Math.trunc(procs), memMb: 0, timeLimitMs: estimate * 1000, durationMs: simulated * 1000 }],
    };
    items.push({ submitAt: Math.round(j.submitTime * 1000), job });
  }
  // Stable: equal submit times keep file order.
  items.sort((a, b) => a.submitAt - b.submitAt);
  return { maxProcs, items, byName, skipped };
}

const STATUS: Record<JobState, number> = {
  // A replayed job whose run equals its request is ended by the core's time limit at that very
  // instant: it ran its full trace length, so it counts as completed.
  COMPLETED: 1,
  TIMEOUT: 1,
  FAILED: 0,
  NODE_FAIL: 0,
  CANCELLED: 5,
  PENDING: -1,
  RUNNING: -1,
};

/** The schedule a replay produced, as SWF lines (input order; wait, run and processors filled in). */
export function scheduleAsSwf(replay: SwfReplay, records: readonly JobRecord[]): SwfJob[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  const out: SwfJob[] = [];
  for (const item of replay.items) {
    const src = replay.byName.get(item.job.name)!;
    const r = byName.get(item.job.name);
    const started = r?.startedAt ?? null;
    out.push({
      ...src,
      waitTime: r && started !== null ? Math.round((started - r.submittedAt) / 1000) : -1,
      runTime: r && started !== null ? Math.round((r.endedAt - started) / 1000) : -1,
      allocatedProcs: r ? r.cores : -1,
      requestedTime: Math.round((item.job.tasks[0]!.timeLimitMs ?? 0) / 1000),
      status: r ? STATUS[r.state] : -1,
    });
  }
  out.sort((a, b) => a.jobNumber - b.jobNumber);
  return out;
}
