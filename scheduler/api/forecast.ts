// Forecasts for `gsched queue --start` and GET /api/v1/jobs/{id}/forecast: the simulator forked
// off the live core (sim/engine's forecast) at the scheduler's clock, played out with no new
// work. One forecast serves every request for a short while: it costs a snapshot of the core
// and a simulation of the rest of the queue, on the scheduler's own thread, so it is bounded
// by an event budget (jobs beyond it are answered with null times, and `complete: false`).
import type { ForecastReply as Reply, JobForecast } from '../../contract/index.js';
import { forecast, type Forecast } from '../../sim/engine/index.js';
import { URGENT_TARGET_MS } from '../pipelines/index.js';
import { isTerminalJobState } from '../core/index.js';
import type { LiveDriver } from '../driver/index.js';


/** The QoS whose analyses have a turnaround target (rapid WGS: results within 8 h). */
const URGENT_QOS = 'urgent';
/** How long one forecast answers for (wall ms): a `watch gsched queue --start` does not re-simulate per call. */
const REUSE_MS = 1000;
/** Engine events one forecast may play (about a second of the scheduler's time on a large queue). */
export const FORECAST_MAX_EVENTS = 250_000;

export class Forecaster {
  private last: { at: number; reply: Reply } | null = null;

  constructor(
    private readonly driver: LiveDriver,
    private readonly maxEvents = FORECAST_MAX_EVENTS,
    private readonly reuseMs = REUSE_MS,
  ) {}

  /** Every open job's forecast, in queue order (running first, then pending by position). */
  all(): Reply {
    const wall = performance.now();
    if (this.last && wall - this.last.at < this.reuseMs) return this.current(this.last.reply);
    const now = this.driver.clock.now();
    const core = this.driver.core;
    const f: Forecast = forecast(core.config, core.snapshot(), now, { maxEvents: this.maxEvents });
    const jobs: JobForecast[] = [];
    const pos = new Map<number, number>();
    for (const j of f.jobs) {
      const v = this.driver.jobView(j.id);
      if (!v) continue;
      pos.set(v.id, v.state === 'PENDING' ? (v.queuePosition ?? Infinity) : 0);
      const urgent = v.qos === URGENT_QOS;
      const deadline = v.submittedAt + URGENT_TARGET_MS;
      jobs.push({
        id: v.id,
        displayId: v.displayId,
        name: v.name,
        account: v.account,
        class: v.class,
        qos: v.qos,
        state: v.state,
        submittedAt: v.submittedAt,
        expectedStart: j.startAt,
        expectedEnd: j.endAt,
        target: urgent ? { deadline, met: j.endAt === null ? null : j.endAt <= deadline } : null,
      });
    }
    jobs.sort((a, b) => (pos.get(a.id) ?? 0) - (pos.get(b.id) ?? 0) || a.id - b.id);
    const reply: Reply = { now, until: f.until, complete: f.complete, jobs };
    this.last = { at: wall, reply };
    return reply;
  }

  /**
   * A reused forecast with each job's state as it is now: a job that ended since the forecast
   * was taken is dropped (its times are history, in gsched show job), so a reply never lists
   * an ended job as open.
   */
  private current(reply: Reply): Reply {
    const jobs: JobForecast[] = [];
    for (const j of reply.jobs) {
      const v = this.driver.jobView(j.id);
      if (!v || isTerminalJobState(v.state)) continue;
      jobs.push(v.state === j.state ? j : { ...j, state: v.state });
    }
    return { ...reply, jobs };
  }
}
