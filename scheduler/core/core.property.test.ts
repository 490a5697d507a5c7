// Invariants over random clusters and workloads (fast-check), plus the fair-share property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { ClusterConfig, Decision, JobSpec, JobState, JobView, Policy } from './types.js';

interface Scenario {
  config: ClusterConfig;
  submissions: { at: number; spec: JobSpec }[];
  nodeEvents: { at: number; type: 'nodeDown' | 'nodeUp' | 'drain' | 'resume'; node: number }[];
}

const policyArb = fc.constantFrom<Policy>('fcfs', 'easy', 'conservative');

function scenarioArb(opts: { dags: boolean; nodeEvents: boolean; preemption: boolean; policy?: Policy; weighted?: boolean }) {
  return fc
    .record({
      policy: opts.policy ? fc.constant(opts.policy) : policyArb,
      containers: fc.array(fc.record({ nodes: fc.integer({ min: 1, max: 3 }), cores: fc.constantFrom(4, 8, 16), mem: fc.constantFrom(16_000, 64_000) }), { minLength: 1, maxLength: 3 }),
      jobs: fc.array(
        fc.record({
          at: fc.integer({ min: 0, max: 20 }),
          tasks: fc.array(
            fc.record({
              cores: fc.integer({ min: 1, max: 16 }),
              mem: fc.integer({ min: 0, max: 16_000 }),
              hours: fc.integer({ min: 1, max: 10 }),
              overrun: fc.boolean(),
              after: fc.array(fc.nat(), { maxLength: 2 }),
            }),
            { minLength: 1, maxLength: opts.dags ? 4 : 1 },
          ),
          kind: fc.constantFrom('research', 'urgent', 'normal', 'low'),
          dep: fc.option(fc.record({ kind: fc.constantFrom('after', 'afterok', 'afterany', 'afternotok'), back: fc.integer({ min: 1, max: 5 }) })),
          // A second dependency, all of them or (Slurm's `?`) any one.
          dep2: fc.option(fc.record({ kind: fc.constantFrom('after', 'afterok', 'afterany', 'afternotok'), back: fc.integer({ min: 1, max: 5 }), any: fc.boolean() })),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      nodeEvents: fc.array(fc.record({ at: fc.integer({ min: 0, max: 30 }), type: fc.constantFrom('nodeDown', 'nodeUp', 'drain', 'resume'), node: fc.nat() }), {
        maxLength: opts.nodeEvents ? 6 : 0,
      }),
    })
    .map((r): Scenario => {
      const b = cluster().policy(r.policy).preemption(opts.preemption);
      // Priorities that move while jobs wait: age capped after two hours, fair-share, QoS.
      if (opts.weighted) b.weights({ age: 100, fairshare: 100, qos: 1000, maxAgeMs: 2 * HOUR, usageHalfLifeMs: 4 * HOUR }).backfillInterval(30 * 60_000);
      r.containers.forEach((c, i) => b.container(`c${i + 1}`, c.nodes, c.cores, c.mem));
      const config = b.build();
      const maxCores = Math.max(...config.nodes.map((n) => n.cores));
      const minMem = Math.min(...config.nodes.filter((n) => n.cores === maxCores).map((n) => n.memMb));
      const submissions = r.jobs.map((j, idx) => {
        const jb = job();
        if (j.kind === 'research') jb.research().qos('low');
        else jb.qos(j.kind);
        j.tasks.forEach((t, ti) => {
          const after = opts.dags && ti > 0 ? [...new Set(t.after.map((a) => a % ti))] : [];
          jb.task(Math.min(t.cores, maxCores), t.hours * HOUR, { memMb: Math.min(t.mem, minMem), timeLimitMs: (t.overrun ? t.hours - 0.5 : t.hours) * HOUR, after });
        });
        // Dependencies point only at earlier submissions (ids are assigned in submit order).
        if (opts.dags && j.dep && idx - j.dep.back >= 0) jb.dep(j.dep.kind as 'afterok', idx - j.dep.back + 1);
        if (opts.dags && j.dep && j.dep2 && idx - j.dep2.back >= 0) jb.dep(j.dep2.kind as 'afterok', idx - j.dep2.back + 1);
        const spec = jb.spec();
        if (j.dep2?.any === true && (spec.dependencies?.length ?? 0) > 1) spec.dependencyAny = true;
        return { at: j.at * HOUR, spec };
      });
      submissions.sort((a, b2) => a.at - b2.at);
      return { config, submissions, nodeEvents: r.nodeEvents.map((e) => ({ ...e, at: e.at * HOUR, node: e.node % config.nodes.length })) };
    });
}

function run(s: Scenario, onPass?: (h: Harness, ds: Decision[]) => void): Harness {
  const h = new Harness(s.config);
  if (onPass) h.onPass = onPass;
  // Some submissions are refused (a dependency on a job refused earlier); that is fine here.
  for (const sub of s.submissions) h.at(sub.at, { type: 'submit', job: sub.spec });
  for (const e of s.nodeEvents) h.at(e.at, { type: e.type, node: s.config.nodes[e.node]?.name as string });
  h.run(2000 * HOUR);
  return h;
}

const ENDED: JobState[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL'];

/**
 * What runs where, kept from the decisions and the scenario's own events only (never from the
 * core's views or bookkeeping): a start holds its cores and memory until the harness ends it
 * (after its modelled duration), a kill or preemption stops it, or its node goes down.
 */
class Ledger {
  private readonly running = new Map<number, { node: string; cores: number; memMb: number; endAt: number }>();
  private readonly up = new Map<string, boolean>();
  private readonly drained = new Map<string, boolean>();
  private nextEvent = 0;
  private readonly events: Scenario['nodeEvents'];

  constructor(private readonly s: Scenario) {
    // The harness applies events of one time in the order they were queued (stable sort).
    this.events = [...s.nodeEvents].sort((a, b) => a.at - b.at);
    for (const n of s.config.nodes) {
      this.up.set(n.name, true);
      this.drained.set(n.name, false);
    }
  }

  /** A pass at `now` decided `ds`: bring the ledger to now, apply them, check every node. */
  pass(now: number, ds: Decision[]): void {
    for (const [id, r] of this.running) if (r.endAt <= now) this.running.delete(id);
    for (; this.nextEvent < this.events.length && (this.events[this.nextEvent] as Scenario['nodeEvents'][number]).at <= now; this.nextEvent++) {
      const e = this.events[this.nextEvent] as Scenario['nodeEvents'][number];
      const name = this.s.config.nodes[e.node]?.name as string;
      if (e.type === 'nodeDown') {
        this.up.set(name, false);
        for (const [id, r] of this.running) if (r.node === name) this.running.delete(id);
      } else if (e.type === 'nodeUp') this.up.set(name, true);
      else this.drained.set(name, e.type === 'drain');
    }
    for (const d of ds) {
      if (d.type === 'start') {
        expect(this.up.get(d.node), `start on ${d.node}, which is down`).toBe(true);
        expect(this.drained.get(d.node), `start on ${d.node}, which drains`).toBe(false);
        expect(this.running.has(d.taskId), `task ${d.taskId} started twice`).toBe(false);
        const dur = d.durationMs ?? d.timeLimitMs;
        // One that would overrun runs until the core kills it at its limit.
        this.running.set(d.taskId, { node: d.node, cores: d.cores, memMb: d.memMb, endAt: dur <= d.timeLimitMs ? now + dur : Infinity });
      } else if (d.type === 'preempt' || d.type === 'kill') {
        expect(this.running.get(d.taskId)?.node, `stop of task ${d.taskId}, which does not run there`).toBe(d.node);
        this.running.delete(d.taskId);
      }
    }
    const used = new Map<string, { cores: number; memMb: number }>();
    for (const r of this.running.values()) {
      const u = used.get(r.node) ?? { cores: 0, memMb: 0 };
      u.cores += r.cores;
      u.memMb += r.memMb;
      used.set(r.node, u);
    }
    for (const n of this.s.config.nodes) {
      const u = used.get(n.name) ?? { cores: 0, memMb: 0 };
      expect(u.cores, `${n.name} cores`).toBeLessThanOrEqual(n.cores);
      expect(u.memMb, `${n.name} memory`).toBeLessThanOrEqual(n.memMb);
    }
  }
}

describe('invariants over random clusters and workloads', () => {
  it('never over-allocates a node in cores or memory, by a ledger kept from the decisions alone', () => {
    let checked = 0;
    fc.assert(
      fc.property(scenarioArb({ dags: true, nodeEvents: true, preemption: true }), (s) => {
        const ledger = new Ledger(s);
        run(s, (h, ds) => {
          ledger.pass(h.now, ds);
          checked += ds.length;
          // The pass's reason counts cover every pending job once.
          const rep = h.core.pendingReasons();
          expect(rep.pendingJobs).toBe(h.core.cluster().pendingJobs);
          // The counts the core keeps as jobs change are the counts of its jobs.
          const c = h.core.cluster();
          const live = h.core.jobs().filter((j) => !ENDED.includes(j.state));
          const tasks = (state: string): number => live.reduce((a, j) => a + j.tasks.filter((t) => t.state === state).length, 0);
          expect([c.pendingJobs, c.runningJobs, c.pendingTasks, c.runningTasks]).toEqual([live.filter((j) => j.state === 'PENDING').length, live.filter((j) => j.state === 'RUNNING').length, tasks('PENDING'), tasks('RUNNING')]);
          expect(Object.values(rep.reasons).reduce((a, b) => a + b, 0)).toBe(rep.pendingJobs);
        });
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(0);
  });

  it('starts a task only after its DAG predecessors and its job dependencies allow', () => {
    fc.assert(
      fc.property(scenarioArb({ dags: true, nodeEvents: false, preemption: true }), (s) => {
        run(s, (h, ds) => {
          for (const d of ds) {
            if (d.type !== 'start') continue;
            const j = h.core.job(d.jobId);
            if (!j) throw new Error('start for an unknown job');
            const t = j.tasks.find((x) => x.id === d.taskId);
            for (const a of t?.after ?? []) expect(j.tasks[a]?.state).toBe('COMPLETED');
            const met = j.dependencies.map((dep) => {
              const st = h.core.job(dep.jobId)?.state as JobState;
              if (dep.kind === 'after') return h.core.job(dep.jobId)?.startedAt !== null || ENDED.includes(st);
              if (dep.kind === 'afterok') return st === 'COMPLETED';
              if (dep.kind === 'afternotok') return ENDED.includes(st) && st !== 'COMPLETED';
              return ENDED.includes(st);
            });
            if (j.dependencyAny) expect(met).toContain(true);
            else expect(met).not.toContain(false);
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  it('preemption only ever takes research tasks', () => {
    let preemptions = 0;
    fc.assert(
      fc.property(scenarioArb({ dags: true, nodeEvents: true, preemption: true }), (s) => {
        run(s, (h, ds) => {
          for (const d of ds) {
            if (d.type !== 'preempt') continue;
            preemptions++;
            expect(h.core.job(d.jobId)?.partition).toBe('research');
          }
        });
      }),
      { numRuns: 200 },
    );
    expect(preemptions).toBeGreaterThan(0); // the generator does exercise preemption
  });

  it('EASY: backfill never delays the reserved start of the top job', () => {
    let checked = 0;
    fc.assert(
      fc.property(scenarioArb({ dags: false, nodeEvents: false, preemption: false, policy: 'easy' }), (s) => {
        let head: { taskId: number; at: number } | null = null;
        run(s, (h) => {
          const r = h.core.reservation();
          if (r === null) {
            head = null;
            return;
          }
          // Within a pass: what backfill started leaves the head's earliest start where it was.
          const now = h.core.earliestStart(r.taskId);
          if (now !== null) expect(now).toBeLessThanOrEqual(r.at);
          // Across passes: the same head's reservation only ever moves earlier.
          if (head !== null && head.taskId === r.taskId) {
            expect(r.at).toBeLessThanOrEqual(head.at);
            checked++;
          }
          head = { taskId: r.taskId, at: r.at };
        });
      }),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(0);
  });

  it('conservative: no start and no reservation overlaps an earlier reservation, and the first never moves later', () => {
    let checked = 0;
    fc.assert(
      fc.property(scenarioArb({ dags: false, nodeEvents: false, preemption: false, policy: 'conservative' }), (s) => {
        let head: { taskId: number; at: number } | null = null;
        run(s, (h) => {
          const rs = h.core.reservations();
          // Within a pass: running tasks (until their limits) and every reservation fit each node together.
          const byNode = new Map<string, { from: number; to: number; cores: number; memMb: number }[]>();
          const add = (node: string, from: number, to: number, cores: number, memMb: number) => {
            const list = byNode.get(node) ?? [];
            list.push({ from, to, cores, memMb });
            byNode.set(node, list);
          };
          for (const t of h.core.runningTasks()) add(t.node, h.now, t.startedAt + t.timeLimitMs, t.cores, t.memMb);
          for (const r of rs) {
            const t = h.core.task(r.taskId);
            if (t === undefined) throw new Error(`reservation for unknown task ${r.taskId}`);
            expect(r.at).toBeGreaterThanOrEqual(h.now);
            add(r.node, r.at, r.at + t.timeLimitMs, t.cores, t.memMb);
          }
          for (const n of s.config.nodes) {
            const list = byNode.get(n.name) ?? [];
            for (const p of list) {
              // Usage peaks where some interval begins.
              const at = list.filter((q) => q.from <= p.from && p.from < q.to);
              expect(at.reduce((x, q) => x + q.cores, 0)).toBeLessThanOrEqual(n.cores);
              expect(at.reduce((x, q) => x + q.memMb, 0)).toBeLessThanOrEqual(n.memMb);
            }
          }
          // Across passes (queue in submission order): the first reservation only ever moves earlier.
          const first = rs[0];
          if (first === undefined) {
            head = null;
            return;
          }
          if (head !== null && head.taskId === first.taskId) {
            expect(first.at).toBeLessThanOrEqual(head.at);
            checked++;
          }
          head = { taskId: first.taskId, at: first.at };
        });
      }),
      { numRuns: 150 },
    );
    expect(checked).toBeGreaterThan(0);
  });

  it('loses no job: with moving priorities every job ends unless a dependency can never be met', () => {
    let stuck = 0;
    fc.assert(
      fc.property(scenarioArb({ dags: true, nodeEvents: false, preemption: true, weighted: true }), (s) => {
        const h = run(s);
        const jobs = new Map(h.core.jobs().map((j) => [j.id, j]));
        // Worked out from the jobs' final states, not from the reasons the core gives: a job can
        // wait for good only behind a dependency that ended the wrong way, or behind such a job.
        const blocks = (d: JobView['dependencies'][number]): boolean => {
          const dep = jobs.get(d.jobId);
          if (dep === undefined) return false;
          if (dep.state === 'PENDING') return never(dep);
          if (d.kind === 'afterok') return ENDED.includes(dep.state) && dep.state !== 'COMPLETED';
          if (d.kind === 'afternotok') return dep.state === 'COMPLETED';
          return false;
        };
        const never = (j: JobView): boolean =>
          j.state === 'PENDING' && (j.dependencyAny ? j.dependencies.every(blocks) : j.dependencies.some(blocks));
        for (const j of jobs.values()) {
          if (never(j)) {
            stuck++;
            expect([j.displayId, j.reason]).toEqual([j.displayId, expect.stringMatching(/^(DependencyNeverSatisfied|Dependency)$/)]);
          } else expect([j.displayId, j.state]).toEqual([j.displayId, expect.stringMatching(/COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL/)]);
        }
      }),
      { numRuns: 200 },
    );
    expect(stuck).toBeGreaterThan(0); // the generator does make dependencies that can never be met
  });

  it('is deterministic: the same inputs give the same decisions', () => {
    fc.assert(
      fc.property(scenarioArb({ dags: true, nodeEvents: true, preemption: true }), (s) => {
        expect(run(s).log).toEqual(run(s).log);
      }),
      { numRuns: 50 },
    );
  });
});

describe('fair-share', () => {
  it('under saturation, accounts with shares 2:1 receive core-hours within 5% of 2:1', () => {
    const cfg = cluster()
      .container('c1', 4, 16)
      .accounts([
        { name: 'p', shares: 2 },
        { name: 'q', shares: 1 },
      ])
      .weights({ fairshare: 1000, usageHalfLifeMs: 24 * HOUR })
      .build();
    const h = new Harness(cfg);
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Both accounts always have far more work waiting than the 64 cores can take.
    for (let i = 0; i < 3000; i++) {
      for (const account of ['p', 'q']) h.submit(job().account(account).task(1 + Math.floor(rand() * 4), (1 + Math.floor(rand() * 3)) * HOUR).spec());
    }
    const horizon = 300 * HOUR;
    h.run(horizon);
    const used = { p: 0, q: 0 };
    for (const { at, decision } of h.log) {
      if (decision.type !== 'start' || at < 24 * HOUR) continue; // skip the warm-up day
      const j = h.core.job(decision.jobId);
      const t = j?.tasks.find((x) => x.id === decision.taskId);
      const end = Math.min(horizon, at + (t?.durationMs ?? 0));
      used[j?.account as 'p' | 'q'] += (decision.cores * (end - at)) / HOUR;
    }
    expect(used.p / used.q).toBeGreaterThan(2 * 0.95);
    expect(used.p / used.q).toBeLessThan(2 * 1.05);
  });
});
