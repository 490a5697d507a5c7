// The machine's power model, shared by the simulator's report and the live scheduler's
// /metrics so both count energy and recovered heat the same way. Pure arithmetic on the
// node specs of the cluster config.
import type { Cooling, NodeState, PowerSaveConfig } from './types.js';

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

/**
 * Watts of a node in a power-saving state: a suspended node draws the config's suspended
 * watts, a booting one its resume watts (its busy watts when the config names none); any
 * other state, null (draw as `nodeWatts` says).
 */
export function powerSaveWatts(n: PoweredNode, state: NodeState, ps: PowerSaveConfig | undefined): number | null {
  if (state === 'SUSPENDED') return ps?.suspendedWatts ?? 0;
  if (state === 'POWERING_UP') return ps?.resumeWatts ?? n.busyWatts;
  return null;
}
