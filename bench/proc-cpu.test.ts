import { describe, expect, it } from 'vitest';
import { SCHEDULER_THREAD, schedulerThreadSeconds, treeCpu } from './proc-cpu.js';

describe('schedulerThreadSeconds', () => {
  it('names each scheduler thread figure after its thread name, in seconds to a tenth', () => {
    const byRole = { scheduler: 9_000, agent: 5_000, [`${SCHEDULER_THREAD}gsched-replica`]: 2_345, [`${SCHEDULER_THREAD}node`]: 1_000 };
    expect(schedulerThreadSeconds(byRole, '_run')).toEqual({ scheduler_thread_gsched_replica_cpu_s_run: 2.3, scheduler_thread_node_cpu_s_run: 1 });
    expect(schedulerThreadSeconds({ scheduler: 1 }, '_run')).toEqual({});
  });
});

describe('treeCpu', () => {
  it('reads this process as the root of its tree on Linux', () => {
    if (process.platform !== 'linux') return;
    const tree = treeCpu(process.pid);
    expect(tree.get(process.pid)?.role).toBe('up');
  });
});
