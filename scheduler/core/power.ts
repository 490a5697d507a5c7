// The machine's power model, shared by the simulator's report and the live scheduler's
// /metrics so both count energy and recovered heat the same way. Pure arithmetic on the
// node specs of the cluster config.
import type { Cooling } from './types.js';

/**
 * Share of a warm-water-cooled node's electrical energy that the cooling loop hands on as
 * useful heat (district heating). An assumption, documented in sim/README.md: direct-to-chip
 * warm-water loops capture most of the heat of CPUs and memory; the rest leaves through the
 * room air. Air-cooled nodes recover none.
 */
export const HEAT_RECOVERY_FRACTION = 0.85;

export interface PoweredNode {
  cores: number;
  idleWatts: number;
  busyWatts: number;
  cooling: Cooling;
}

/** Watts a busy core adds above the node's idle draw (draw is linear in busy cores). */
export function wattsPerBusyCore(n: PoweredNode): number {
  return n.cores > 0 ? (n.busyWatts - n.idleWatts) / n.cores : 0;
}

/** Watts a node draws with `busyCores` busy; a down node draws nothing. */
export function nodeWatts(n: PoweredNode, busyCores: number, down: boolean): number {
  return down ? 0 : n.idleWatts + wattsPerBusyCore(n) * busyCores;
}

/** The share of a node's energy recovered as heat. */
export function heatRecoveryShare(n: Pick<PoweredNode, 'cooling'>, fraction: number = HEAT_RECOVERY_FRACTION): number {
  return n.cooling === 'warm-water' ? fraction : 0;
}
