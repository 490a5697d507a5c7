// How a node's cores are counted, the same way in /metrics, the dashboard and `gsched nodes`.
import { describe, expect, it } from 'vitest';
import { coreStates } from './metrics-snapshot.js';

describe('coreStates', () => {
  it('counts the free cores of a draining or drained node as drained, not idle', () => {
    expect(coreStates('DRAINING', 64, 16)).toEqual({ allocated: 16, idle: 0, drained: 48, down: 0 });
    expect(coreStates('DRAINED', 64, 0)).toEqual({ allocated: 0, idle: 0, drained: 64, down: 0 });
  });

  it('counts a down node as down whatever it held, and splits an up node into allocated and idle', () => {
    expect(coreStates('DOWN', 64, 8)).toEqual({ allocated: 0, idle: 0, drained: 0, down: 64 });
    expect(coreStates('MIXED', 64, 40)).toEqual({ allocated: 40, idle: 24, drained: 0, down: 0 });
    expect(coreStates('IDLE', 64, 0)).toEqual({ allocated: 0, idle: 64, drained: 0, down: 0 });
  });
});
