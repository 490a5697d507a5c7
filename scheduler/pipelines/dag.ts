// Builds one analysis's tasks as a DAG (each task lists the indices of earlier tasks it waits for),
// turning stage costs into per-task cores, memory, modelled duration and requested time limit.
import type { Ms, TaskSpec } from '../core/index.js';
import {
  DURATION_MAX,
  DURATION_MIN,
  DURATION_SIGMA,
  HOUR_MS,
  RETRIES,
  timeLimitFor,
  type StageCost,
} from './costs.js';
import type { Rng } from '../../common/index.js';

const names = new Map<string, string[]>();
/** `align-00` … `align-<shards-1>`: interned per stage name, so 3M tasks do not allocate 3M name strings. */
function shardNames(prefix: string, shards: number): readonly string[] {
  let list = names.get(prefix);
  if (!list) names.set(prefix, (list = []));
  for (let k = list.length; k < shards; k++) list.push(`${prefix}-${String(k).padStart(2, '0')}`);
  return list;
}

export class Dag {
  readonly tasks: TaskSpec[] = [];

  /** `rng` null builds the nominal job (no spread), used to describe the model. */
  constructor(private readonly rng: Rng | null) {}

  /**
   * Adds a stage of `shards` tasks (default: the stage's own rule for this much work), each
   * waiting for all of `after`. Returns the new tasks' indices. The shards share one `after`
   * array: the core treats specs as read-only, and it keeps per-job allocation small.
   */
  stage(cost: StageCost, work: number, after: number[], shards = shardsFor(cost, work)): number[] {
    const coreHours = cost.coreHoursPerUnit * work + cost.fixedCoreHours;
    const expectedMs: Ms = (coreHours / shards / cost.cores) * HOUR_MS + cost.overheadS * 1000;
    const memMb = Math.round(cost.memMb + cost.memMbPerUnit * work);
    const timeLimitMs = timeLimitFor(expectedMs);
    const out: number[] = [];
    // Looked up once per stage, not per task.
    const shardList = shards === 1 ? null : shardNames(cost.name, shards);
    for (let i = 0; i < shards; i++) {
      const spread = this.rng ? this.rng.spread(DURATION_SIGMA, DURATION_MIN, DURATION_MAX) : 1;
      out.push(this.tasks.length);
      this.tasks.push({
        name: shardList === null ? cost.name : (shardList[i] as string),
        cores: cost.cores,
        memMb,
        timeLimitMs,
        durationMs: Math.max(1000, Math.round(expectedMs * spread)),
        kernel: cost.kernel,
        retries: RETRIES,
        after,
      });
    }
    return out;
  }

  /** Core-hours of the modelled durations. */
  coreHours(): number {
    let ms = 0;
    for (const t of this.tasks) ms += t.cores * (t.durationMs ?? 0);
    return ms / HOUR_MS;
  }
}

/** Fewer shards for less work than one unit, never more than the stage's count. */
export function shardsFor(cost: StageCost, work: number): number {
  return Math.max(1, Math.min(cost.shards, Math.ceil(cost.shards * work - 1e-9)));
}
