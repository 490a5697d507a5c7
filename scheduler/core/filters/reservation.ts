// A job that asked for an advance reservation (--reservation) waits with Reservation until the
// reservation's window opens (and after it closes); in the window, the node filter
// (reserved-nodes.ts) keeps it on the reservation's nodes. The pass is woken at each window's
// edges (CoreState's reservations), so nothing else has to happen for it to start.
import type { Filter } from './filter.js';

export const reservation: Filter = {
  name: 'reservation',
  reasons: ['Reservation'],
  check(job, s) {
    if (job.reservation === null) return null;
    const r = s.resv.get(job.reservation);
    return r === undefined || s.now < r.startAt || s.now >= r.endAt ? 'Reservation' : null;
  },
};
