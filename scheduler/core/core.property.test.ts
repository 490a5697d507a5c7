// Invariants over random clusters and workloads (fast-check), plus the fair-share property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { ClusterConfig, Decision, JobSpec, Policy } from './types.js';

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
          dep: fc.option(fc.record({ kind: fc.constantFrom('afterok', 'afterany', 'afternotok'), back: fc.integer({ min: 1, max: 5 }) })),
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
        return { at: j.at * HOUR, spec: jb.spec() };
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

describe('invariants over random clusters and workloads', () => {
  it('never over-allocates a node in cores or memory', () => {
    fc.assert(
      fc.property(scenarioArb({ dags: true, nodeEvents: true, preemption: true }), (s) => {
        run(s, (h) => {
          for (const n of h.core.nodes()) {
            expect(n.coresUsed).toBeGreaterThanOrEqual(0);
            expect(n.coresUsed).toBeLessThanOrEqual(n.cores);
            expect(n.memUsedMb).toBeLessThanOrEqual(n.memMb);
          }
        });
      }),
      { numRuns: 150 },
    );
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
            for (const dep of j.dependencies) {
              const st = h.core.job(dep.jobId)?.state;
              if (dep.kind === 'afterok') expect(st).toBe('COMPLETED');
              else expect(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL']).toContain(st);
              if (dep.kind === 'afternotok') expect(st).not.toBe('COMPLETED');
            }
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

  it('loses no job: with moving priorities every job ends unless its dependency can never be met', () => {
    fc.assert(
      fc.property(scenarioArb({ dags: true, nodeEvents: false, preemption: true, weighted: true }), (s) => {
        const h = run(s);
        for (const j of h.core.jobs()) {
          // A job whose dependency can never be met waits for good, and so do jobs behind it.
          if (j.state === 'PENDING' && j.dependencies.length > 0 && (j.reason === 'DependencyNeverSatisfied' || j.reason === 'Dependency')) continue;
          expect([j.displayId, j.state]).toEqual([j.displayId, expect.stringMatching(/COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL/)]);
        }
      }),
      { numRuns: 200 },
    );
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
