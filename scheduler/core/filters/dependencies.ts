// Dependencies: the job's DAG (a task starts once its predecessors completed) and its
// dependencies on other jobs (Slurm's afterok, afterany, afternotok).
import { TERMINAL } from '../state.js';
import type { Filter } from './filter.js';

export const dependencies: Filter = {
  name: 'dependencies',
  reasons: ['Dependency', 'DependencyNeverSatisfied'],
  check(job, s) {
    // Every ready task started: the rest wait for running ones.
    if (job.ready.length === 0) return 'Dependency';
    const deps = job.deps;
    for (let i = 0; i < deps.length; i++) {
      const d = deps[i] as (typeof deps)[number];
      // A job neither in memory nor forgotten was never ours to wait for: validation refused it.
      const st = s.byId.get(d.jobId)?.state ?? s.ended.get(d.jobId) ?? 'COMPLETED';
      const done = TERMINAL.has(st);
      if (d.kind === 'afterany' && !done) return 'Dependency';
      if (d.kind === 'afterok' && st !== 'COMPLETED') return done ? 'DependencyNeverSatisfied' : 'Dependency';
      if (d.kind === 'afternotok' && (!done || st === 'COMPLETED')) return st === 'COMPLETED' ? 'DependencyNeverSatisfied' : 'Dependency';
    }
    return null;
  },
};
