// The policies, by the name the configuration gives them.
import type { CoreState } from '../core-state.js';
import type { Policy } from '../types.js';
import { ConservativePlanner } from './conservative.js';
import { EasyPlanner, FcfsPlanner } from './easy.js';
import type { Planner } from './planner.js';

export type { Next, Planner, ReservationView } from './planner.js';
export { BACKFILL_INTERVAL_MS } from './easy.js';

export const PLANNERS: { readonly [P in Policy]: new (s: CoreState) => Planner } = {
  fcfs: FcfsPlanner,
  easy: EasyPlanner,
  conservative: ConservativePlanner,
};
