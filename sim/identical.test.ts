// Identical decisions: the core's decision stream on fixed inputs, fingerprinted. The figures
// below were recorded before the core was split into a pipeline (issue #9), the NGC ones with
// the workload model of fe62447; a refactoring of the core must reproduce them bit for bit.
// A change of the NGC workload model changes the NGC figures: record them again with the
// core as it was. A deliberate change of policy changes them: say so
// in the commit and record the new figures.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../common/index.js';
import { flatClusterConfig, SchedulerCore, type ClusterConfig, type CoreEvent, type Decision, type EventResult, type Ms, type Policy, type StepResult } from '../scheduler/core/index.js';
import { SimEngine, type FailureModel, type SchedulingCore, type Submission } from './engine/index.js';
import { MetricsCollector } from './metrics/collector.js';
import { ngcSubmissions } from './run/ngc.js';
import { readSwfFile } from './swf/format.js';
import { swfReplay } from './swf/replay.js';

/** Drives the real core and folds every decision and wake-up into an FNV-1a hash. */
class Fingerprint implements SchedulingCore {
  readonly config: ClusterConfig;
  private readonly core: SchedulerCore;
  hash = 0x811c9dc5;
  starts = 0;
  preempts = 0;
  kills = 0;
  passes = 0;

  constructor(config: ClusterConfig) {
    this.config = config;
    this.core = new SchedulerCore(config);
  }

  apply(event: CoreEvent, now: Ms): EventResult {
    return this.core.apply(event, now);
  }

  schedule(now: Ms): StepResult {
    const r = this.core.schedule(now);
    this.passes++;
    this.mix(now);
    for (const d of r.decisions) this.decision(d);
    this.mix(r.wakeAt ?? -2);
    return r;
  }

  private decision(d: Decision): void {
    this.mix(d.type.length);
    this.mix(d.jobId);
    if (d.type === 'jobEnded') {
      this.text(d.state);
      return;
    }
    this.mix(d.taskId);
    this.text(d.node);
    if (d.type === 'start') this.starts++;
    else if (d.type === 'preempt') this.preempts++;
    else {
      this.kills++;
      this.text(d.reason);
    }
  }

  private mix(n: number): void {
    // Times pass 2^32: fold both halves.
    this.byte(n >>> 0);
    this.byte(Math.floor(n / 2 ** 32) >>> 0);
  }

  private text(s: string): void {
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  private byte(x: number): void {
    this.hash = Math.imul(this.hash ^ x, 0x01000193) >>> 0;
  }

  figures(): { hash: string; passes: number; starts: number; preempts: number; kills: number } {
    return { hash: this.hash.toString(16), passes: this.passes, starts: this.starts, preempts: this.preempts, kills: this.kills };
  }
}

const KTH = fileURLToPath(new URL('./traces/KTH-SP2.swf', import.meta.url));

function kth(policy: Policy) {
  const trace = readSwfFile(KTH);
  const replay = swfReplay(trace, KTH, {});
  const config = flatClusterConfig(replay.maxProcs, policy);
  const metrics = new MetricsCollector(config);
  const core = new Fingerprint(config);
  new SimEngine(core, { tieOrder: 'submits-first', schedulePer: 'event', observer: metrics }).run(replay.items);
  const m = metrics.metrics();
  return { ...core.figures(), wait: m.wait.mean, bsld: m.bsld.mean, util: m.utilization };
}

const full = loadClusterConfig();
// Container c1's first two standard nodes and a high-memory one: at 25 analyses a day the queue
// builds, so backfill, reservations and preemption all decide something.
const small: ClusterConfig = { ...full, nodes: [full.nodes[0]!, full.nodes[1]!, full.nodes.find((n) => n.kind === 'highmem')!] };

function ngc(base: ClusterConfig, analyses: number, seed: number, policy: Policy, perDay?: number, failures: FailureModel | null = null) {
  const config: ClusterConfig = { ...base, scheduler: { ...base.scheduler, policy } };
  const metrics = new MetricsCollector(config);
  const core = new Fingerprint(config);
  const items: Iterable<Submission> = ngcSubmissions({ analyses, seed, scenario: 'steady', ...(perDay === undefined ? {} : { perDay }) });
  new SimEngine(core, { observer: metrics, failures }).run(items);
  const m = metrics.metrics();
  return { ...core.figures(), completed: m.states.COMPLETED ?? 0, wait: m.wait.mean, util: m.utilization };
}

describe('identical decisions (recorded before the pipeline split)', () => {
  it('KTH-SP2, EASY', () => {
    expect(kth('easy')).toEqual({ hash: '4d9c0173', passes: 57449, starts: 28481, preempts: 0, kills: 14, wait: 6836.872090165373, bsld: 92.57653973362952, util: 0.685613241361949 });
  });

  it('KTH-SP2, FCFS', () => {
    expect(kth('fcfs')).toEqual({ hash: '6ae21bec', passes: 57445, starts: 28481, preempts: 0, kills: 15, wait: 353776.4091499596, bsld: 6814.973310176235, util: 0.6852402795843975 });
  });

  it('NGC steady, 1,000 analyses on the full cluster, EASY (the default policy)', () => {
    expect(ngc(full, 1000, 1, 'easy')).toEqual({ hash: '5f0e2c6', passes: 39312, starts: 38312, preempts: 0, kills: 0, completed: 1000, wait: 0, util: 0.0004898392905903061 });
  });

  it('NGC steady, 150 analyses at 25 a day on three nodes, EASY', () => {
    expect(ngc(small, 150, 2, 'easy', 25)).toEqual({ hash: 'd2d09037', passes: 6935, starts: 5823, preempts: 20, kills: 0, completed: 150, wait: 4317.221126666666, util: 0.8984193333225265 });
  });

  it('NGC steady, 60 analyses at 25 a day on three nodes, conservative', () => {
    expect(ngc(small, 60, 2, 'conservative', 25)).toEqual({ hash: 'b03b3693', passes: 2506, starts: 2446, preempts: 0, kills: 0, completed: 60, wait: 6765.206883333333, util: 0.8594409381108544 });
  });

  it('NGC steady, 150 analyses at 25 a day on three nodes, FCFS, with node failures', () => {
    expect(ngc(small, 150, 3, 'fcfs', 25, { mtbfMs: 5 * 86_400_000, mttrMs: 6 * 3_600_000, seed: 4 })).toEqual({ hash: '2c8adbb9', passes: 6687, starts: 6617, preempts: 0, kills: 0, completed: 150, wait: 337934.6326933333, util: 0.7936539370289944 });
  });
});

// Congested queues on three nodes with a shallow backfill depth, so that most backfill passes
// end by passing over the jobs behind the head until the depth runs out (what
// policies/pass-over-memo.ts lets a pass skip). Recorded before that memo existed.
function congested(scenario: 'burst' | 'steady', analyses: number, seed: number, depth: number, perDay?: number, failures: FailureModel | null = null) {
  const config: ClusterConfig = { ...small, scheduler: { ...small.scheduler, backfillDepth: depth } };
  const metrics = new MetricsCollector(config);
  const core = new Fingerprint(config);
  new SimEngine(core, { observer: metrics, failures }).run(ngcSubmissions({ analyses, seed, scenario, ...(perDay === undefined ? {} : { perDay }) }));
  const m = metrics.metrics();
  return { ...core.figures(), completed: m.states.COMPLETED ?? 0, makespan: m.makespanS, turnaround: m.turnaround.mean };
}

describe('identical decisions on congested queues', () => {
  it('NGC burst, 80 analyses on three nodes, EASY, backfill depth 6', () => {
    expect(congested('burst', 80, 5, 6)).toEqual({ hash: '6bbdabda', passes: 3418, starts: 2939, preempts: 0, kills: 0, completed: 80, makespan: 561335.464, turnaround: 297885.9201125 });
  });

  it('NGC burst, 80 analyses on three nodes, EASY, backfill depth 3, with node failures', () => {
    expect(congested('burst', 80, 6, 3, undefined, { mtbfMs: 2 * 86_400_000, mttrMs: 4 * 3_600_000, seed: 7 })).toEqual({ hash: '1940b336', passes: 3546, starts: 3158, preempts: 0, kills: 0, completed: 80, makespan: 711922.676, turnaround: 357064.8614375001 });
  });

  it('NGC steady, 150 analyses at 25 a day on three nodes, EASY, backfill depth 4', () => {
    expect(congested('steady', 150, 2, 4, 25)).toEqual({ hash: 'c349c3af', passes: 6995, starts: 5803, preempts: 0, kills: 0, completed: 150, makespan: 1062068.362, turnaround: 321848.45847333333 });
  });
});

describe('the start cap (scheduler.maxStartsPerPass)', () => {
  // The engine runs a capped pass's remainder at the same instant (its wakeAt = now), so a
  // burst decided in chunks of 7 starts every task where and when one uncapped pass would.
  it('an NGC burst decided in capped passes starts the same tasks on the same nodes at the same times', () => {
    const starts = (cap: number | null): string[] => {
      const { maxStartsPerPass: _default, ...uncapped } = full.scheduler;
      const config: ClusterConfig = { ...full, scheduler: cap === null ? uncapped : { ...uncapped, maxStartsPerPass: cap } };
      const core = new SchedulerCore(config);
      const log: string[] = [];
      const recording: SchedulingCore = {
        config,
        apply: (e, now) => core.apply(e, now),
        schedule: (now) => {
          const r = core.schedule(now);
          for (const d of r.decisions) if (d.type === 'start') log.push(`${now}:${d.taskId}@${d.node}`);
          return r;
        },
      };
      new SimEngine(recording, {}).run(ngcSubmissions({ analyses: 100, seed: 1, scenario: 'burst' }));
      return log;
    };
    const free = starts(null);
    expect(free.length).toBeGreaterThan(1000);
    expect(starts(7)).toEqual(free);
  });
});
