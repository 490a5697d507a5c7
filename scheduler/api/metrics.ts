// Prometheus metrics (prom-client) of one scheduler process, on its own registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentHub } from '../agents/index.js';
import type { DriverObserver, LiveDriver } from '../driver/index.js';

export class SchedulerMetrics {
  readonly registry = new Registry();
  private readonly passSeconds: Histogram;
  private readonly dispatchSeconds: Histogram;
  private readonly jobsEnded: Counter;
  private readonly heartbeats: Counter;
  private readonly turnaround: Histogram;
  private readonly coreSeconds: Counter;
  private readonly lastEnd: Gauge;
  private latestEndMs = -Infinity;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gsched_process_' });
    this.passSeconds = new Histogram({
      name: 'gsched_schedule_pass_seconds',
      help: 'Time one scheduling pass of the core took',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers: [this.registry],
    });
    this.dispatchSeconds = new Histogram({
      name: 'gsched_dispatch_latency_seconds',
      help: 'From a start decision to the agent acknowledging it',
      // Fine around the 20 ms objective so a p99 can be judged against it.
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [this.registry],
    });
    this.jobsEnded = new Counter({ name: 'gsched_jobs_ended_total', help: 'Jobs that reached a terminal state, by state', labelNames: ['state'], registers: [this.registry] });
    // Modelled seconds (the scheduler's clock), as the simulator reports them: bench:ngc
    // compares the two from these.
    this.turnaround = new Histogram({
      name: 'gsched_job_turnaround_seconds',
      help: 'Submit to end of jobs that completed, by analysis class, in modelled seconds',
      labelNames: ['class'],
      buckets: [600, 1800, 3600, 4 * 3600, 8 * 3600, 16 * 3600, 86_400, 2 * 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400],
      registers: [this.registry],
    });
    this.coreSeconds = new Counter({ name: 'gsched_task_core_seconds_total', help: 'Core-seconds (modelled) the tasks of ended jobs held, last attempts', registers: [this.registry] });
    this.lastEnd = new Gauge({ name: 'gsched_last_job_end_seconds', help: 'Modelled time (epoch seconds) the latest job ended', registers: [this.registry] });
    this.heartbeats = new Counter({ name: 'gsched_agent_heartbeats_total', help: 'Heartbeats received, by agent', labelNames: ['agent'], registers: [this.registry] });
  }

  observer(): DriverObserver {
    return {
      pass: (ms) => this.passSeconds.observe(ms / 1000),
      dispatched: (ms) => this.dispatchSeconds.observe(ms / 1000),
      jobEnded: (state, job) => {
        this.jobsEnded.inc({ state });
        if (!job) return;
        if (state === 'COMPLETED') this.turnaround.observe({ class: job.class ?? 'none' }, (job.endedAt - job.submittedAt) / 1000);
        this.coreSeconds.inc(job.coreMs / 1000);
        if (job.endedAt > this.latestEndMs) {
          this.latestEndMs = job.endedAt;
          this.lastEnd.set(job.endedAt / 1000);
        }
      },
    };
  }

  heartbeat(agent: string): void {
    this.heartbeats.inc({ agent });
  }

  /** Gauges read from the live state at scrape time. */
  watch(driver: LiveDriver, hub: AgentHub): void {
    const r = [this.registry];
    new Gauge({
      name: 'gsched_jobs',
      help: 'Active jobs by state',
      labelNames: ['state'],
      registers: r,
      collect() {
        const c = driver.core.cluster();
        this.set({ state: 'PENDING' }, c.pendingJobs);
        this.set({ state: 'RUNNING' }, c.runningJobs);
      },
    });
    new Gauge({
      name: 'gsched_cores',
      help: 'Cores per container by state (allocated, idle, down)',
      labelNames: ['container', 'state'],
      registers: r,
      collect() {
        for (const k of driver.core.cluster().containers) {
          this.set({ container: k.name, state: 'allocated' }, k.coresUsed);
          this.set({ container: k.name, state: 'down' }, k.coresDown);
          this.set({ container: k.name, state: 'idle' }, Math.max(0, k.cores - k.coresUsed - k.coresDown));
        }
      },
    });
    new Gauge({
      name: 'gsched_queue_depth',
      help: 'Pending tasks waiting for placement',
      registers: r,
      collect() {
        this.set(driver.core.cluster().pendingTasks);
      },
    });
    new Gauge({
      name: 'gsched_agents_connected',
      help: 'Agents with an open stream',
      registers: r,
      collect() {
        this.set(hub.connectedCount);
      },
    });
  }
}
