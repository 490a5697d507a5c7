// Advance reservations on nodes: a task of a job in a reservation runs only on its nodes; any
// other task stays off a reserved node if its time limit would reach into the window
// ([now, now + limit) overlaps [start, end)). Two node filters so that the reason says which:
// a maintenance reservation (Slurm's MAINT) answers "ReqNodeNotAvail, Reserved for
// maintenance", any other keeps the job waiting for Resources elsewhere.
import type { CoreState } from '../core-state.js';
import type { NodeRt, TaskRt } from '../state.js';
import type { NodeFilter } from './filter.js';

/** Whether a reservation of the node (maint ones if `maint`, the others if not) overlaps the task's run from now. */
function blocks(n: NodeRt, t: TaskRt, s: CoreState, maint: boolean): boolean {
  const list = n.resv;
  if (list === null) return false;
  const end = s.now + t.timeLimitMs;
  for (let i = 0; i < list.length; i++) {
    const r = list[i] as NonNullable<NodeRt['resv']>[number];
    if (r.maint === maint && r.startAt < end && r.endAt > s.now) return true;
  }
  return false;
}

export const maintenance: NodeFilter = {
  name: 'maintenance reservations',
  reason: 'ReqNodeNotAvail, Reserved for maintenance',
  admits: (n, t, s) => t.job.reservation !== null || !blocks(n, t, s, true),
};

export const reservedNodes: NodeFilter = {
  name: 'reserved nodes',
  reason: 'Resources',
  admits(n, t, s) {
    const own = t.job.reservation;
    if (own !== null) return s.resv.get(own)?.member[n.idx] === 1;
    return !blocks(n, t, s, false);
  },
};
