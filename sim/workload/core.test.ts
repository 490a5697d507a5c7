// The workload against the real scheduling core: every job it generates is accepted, and a burst
// of analyses runs to completion within the time limits the model requests.
import { describe, expect, it } from 'vitest';
import { KeyedHeap, SchedulerCore, type JobState, type Ms } from '../../scheduler/core/index.js';
import { loadClusterConfig } from '../../common/index.js';
import { URGENT_TARGET_MS } from '../../scheduler/pipelines/index.js';
import { ngcWorkload, type WorkloadItem } from './index.js';

function applyConsent(core: SchedulerCore, item: WorkloadItem): string[] {
  const errors: string[] = [];
  for (const c of item.consent ?? []) {
    const r = core.apply({ type: 'consent', pseudonym: c.pseudonym, status: c.status }, item.submitAt);
    if (!r.ok) errors.push(`consent ${c.pseudonym}: ${r.error.message}`);
  }
  return errors;
}

describe('the workload in the scheduling core', () => {
  for (const scenario of ['steady', 'burst'] as const) {
    it(`accepts a sample of 500 generated jobs after their consent events (${scenario})`, () => {
      const core = new SchedulerCore(loadClusterConfig());
      const errors: string[] = [];
      let submitted = 0;
      let i = 0;
      for (const item of ngcWorkload({ analyses: 6000, seed: 21, scenario })) {
        errors.push(...applyConsent(core, item));
        // Every 12th analysis, so the sample spans the whole stream (consent of all is applied).
        if (i++ % 12 !== 0) continue;
        const r = core.apply({ type: 'submit', job: item.job }, item.submitAt);
        submitted++;
        if (!r.ok) errors.push(`${item.job.name}: ${r.error.code} ${r.error.field ?? ''} ${r.error.message}`);
      }
      expect(submitted).toBe(500);
      expect(errors.slice(0, 5)).toEqual([]);
    });
  }

  it('runs a burst of 300 analyses to completion, none past its time limit (urgent work may preempt research)', () => {
    const core = new SchedulerCore(loadClusterConfig());
    const ends = new KeyedHeap<{ at: Ms; taskId: number }>();
    const states = new Map<number, JobState>();
    const kills: string[] = [];
    // A preempted task is requeued by the core; its pending end is stale once it restarts elsewhere.
    const endOf = new Map<number, Ms>();
    let preempted = 0;
    let jobs = 0;
    for (const item of ngcWorkload({ analyses: 300, seed: 8, scenario: 'burst' })) {
      expect(applyConsent(core, item)).toEqual([]);
      const r = core.apply({ type: 'submit', job: item.job }, 0);
      expect(r.ok).toBe(true);
      jobs++;
    }
    let now: Ms = 0;
    let wakeAt: Ms | null = 0;
    for (let steps = 0; steps < 100_000; steps++) {
      const step = core.schedule(now);
      for (const d of step.decisions) {
        if (d.type === 'start') {
          const at = now + (core.task(d.taskId)?.durationMs ?? 0);
          endOf.set(d.taskId, at);
          ends.push(at, d.taskId, { at, taskId: d.taskId });
        } else if (d.type === 'preempt') {
          endOf.delete(d.taskId);
          preempted++;
        } else if (d.type === 'kill') kills.push(`${d.reason} task ${d.taskId}`);
        else if (d.type === 'jobEnded') states.set(d.jobId, d.state);
      }
      wakeAt = step.wakeAt;
      const next = ends.peek();
      if (!next) break;
      now = wakeAt !== null && wakeAt < next.at ? wakeAt : next.at;
      for (let e = ends.peek(); e && e.at <= now; e = ends.peek()) {
        ends.pop();
        if (endOf.get(e.taskId) !== e.at) continue;
        endOf.delete(e.taskId);
        core.apply({ type: 'taskEnded', taskId: e.taskId, outcome: 'completed' }, now);
      }
    }
    expect(kills).toEqual([]);
    // Rapid WGS jumps the burst (urgent QoS, preempting research if need be) and meets its target.
    const rapid = core.jobs({ states: ['COMPLETED'] }).filter((j) => j.class === 'wgs-rapid');
    expect(rapid.length).toBeGreaterThan(0);
    for (const j of rapid) expect((j.endedAt ?? Infinity) - j.submittedAt).toBeLessThan(URGENT_TARGET_MS);
    expect(states.size).toBe(jobs);
    expect([...states.values()].every((s) => s === 'COMPLETED')).toBe(true);
  });
});
