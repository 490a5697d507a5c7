// Forecasts from the twin: the simulator forked off a core's state. A fresh core of the same
// config takes the snapshot, the engine takes up the run at `now` with the running tasks'
// remaining modelled time (each ends at its start plus its modelled duration, or its time limit
// when it has none), and plays on with no new submissions. When each open job first starts
// and ends in that run is its forecast: the same policy code, the same modelled durations,
// so on a quiet cluster (nothing new arriving, no failures) it is what will happen.
import { SchedulerCore, TERMINAL_JOB_STATES, type ClusterConfig, type CoreSnapshot, type JobState, type Ms } from '../../scheduler/core/index.js';
import { SimEngine, type ResumedJob, type ResumedTask } from './engine.js';
import { SimOptionError } from './errors.js';

export interface ForecastOptions {
  /** Stop once this many engine events were played (a bound on the time a forecast may take). */
  maxEvents?: number;
  /** Stop once the modelled clock passes now + horizonMs. */
  horizonMs?: Ms;
  /** Stop as soon as this job has ended (a forecast for one job needs no more). */
  untilJob?: number;
}

export interface JobForecast {
  id: number;
  state: JobState;
  submittedAt: Ms;
  /** When its first task starts (already started: the real start); null if not within the forecast. */
  startAt: Ms | null;
  /** When it ends; null if not within the forecast. */
  endAt: Ms | null;
  /** Its state at the end of the forecast (COMPLETED, or still PENDING when cut off…). */
  endState: JobState | null;
}

export interface Forecast {
  /** Modelled time the forecast starts from. */
  now: Ms;
  /** Modelled time the forecast reached. */
  until: Ms;
  /** True when it played out until nothing more could happen; false when a bound cut it off. */
  complete: boolean;
  events: number;
  /** Every job open at `now`, in id order. */
  jobs: JobForecast[];
}

const TERMINAL: ReadonlySet<JobState> = new Set(TERMINAL_JOB_STATES);
const DEFAULT_MAX_EVENTS = 2_000_000;

export function forecast(config: ClusterConfig, snapshot: CoreSnapshot, now: Ms, opts: ForecastOptions = {}): Forecast {
  const maxEvents = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (!(maxEvents > 0)) throw new SimOptionError('maxEvents', maxEvents, 'a positive number');
  const horizon = opts.horizonMs === undefined ? Number.POSITIVE_INFINITY : now + opts.horizonMs;
  const core = new SchedulerCore(config);
  core.restore(snapshot);

  const byId = new Map<number, JobForecast>();
  const open: ResumedJob[] = [];
  for (const j of core.jobs()) {
    if (TERMINAL.has(j.state)) continue;
    const f: JobForecast = { id: j.id, state: j.state, submittedAt: j.submittedAt, startAt: j.startedAt, endAt: null, endState: null };
    byId.set(j.id, f);
    open.push({ id: j.id, spec: { name: j.name, owner: j.owner, account: j.account, partition: j.partition, qos: j.qos, purpose: j.purpose, class: j.class ?? undefined }, cores: j.cores, submittedAt: j.submittedAt, startedAt: j.startedAt });
  }
  const running: ResumedTask[] = core.runningTasks().map((t) => ({
    taskId: t.taskId,
    jobId: t.jobId,
    node: t.node,
    cores: t.cores,
    // Lagging behind its model (a busy host): it ends at once in the forecast.
    endAt: Math.max(now, t.startedAt + (t.durationMs ?? t.timeLimitMs)),
  }));

  let target = false;
  const engine = new SimEngine(core, {
    progressEvery: 1,
    stopWhen: (p) => target || p.events >= maxEvents || p.now > horizon,
    observer: {
      onTaskStart(_taskId, jobId, _node, _cores, at) {
        const f = byId.get(jobId);
        if (f && f.startAt === null) f.startAt = at;
      },
      onJobEnded(job, at) {
        const f = byId.get(job.id);
        if (!f) return;
        f.endAt = at;
        f.endState = job.state;
        if (job.id === opts.untilJob) target = true;
      },
    },
  });
  engine.resume(now, running, open, core.nodes().filter((n) => n.state === 'POWERING_UP').map((n) => n.name));
  const out = engine.run([]);
  // Anything that started or ended past the horizon is not forecast.
  for (const f of byId.values()) {
    if (f.startAt !== null && f.startAt > horizon) f.startAt = null;
    if (f.endAt !== null && f.endAt > horizon) {
      f.endAt = null;
      f.endState = null;
    }
  }
  const complete = !out.stopped || (opts.untilJob !== undefined && target);
  return { now, until: out.endTime, complete, events: out.events, jobs: [...byId.values()].sort((a, b) => a.id - b.id) };
}
