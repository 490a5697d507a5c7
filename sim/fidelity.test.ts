// Fidelity on a real trace: gsched's core, driven by this engine, must reproduce the pyss
// reference schedules of KTH-SP2 (sim/traces/README.md) within 1% on the averages.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSwfFile } from './swf/format.js';
import { runSwf } from './run/swf.js';

const TRACE = fileURLToPath(new URL('./traces/KTH-SP2.swf', import.meta.url));

const REFERENCE = {
  easy: { wait: 6836.87, flow: 15696.8, bsld: 92.5765, maxBsld: 14805.2, util: 0.6856 },
  fcfs: { wait: 353776, flow: 362636, bsld: 6814.97, maxBsld: 93994, util: 0.6852 },
} as const;

const within = (actual: number, expected: number, rel: number): void => {
  expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
};

describe('KTH-SP2 replay against the pyss reference', () => {
  const trace = readSwfFile(TRACE);

  it('reads all 28,481 jobs of a 100-processor machine', () => {
    expect(trace.header.maxProcs).toBe(100);
    expect(trace.jobs).toHaveLength(28_481);
  });

  for (const policy of ['easy', 'fcfs'] as const) {
    it(`${policy.toUpperCase()} matches within 1% on average wait, flow and bounded slowdown`, () => {
      const { metrics: m, outcome } = runSwf(trace, TRACE, { policy });
      const ref = REFERENCE[policy];
      expect(m.jobs).toBe(28_481);
      expect(outcome.jobsUnfinished).toBe(0);
      within(m.wait.mean, ref.wait, 0.01);
      within(m.flow.mean, ref.flow, 0.01);
      within(m.bsld.mean, ref.bsld, 0.01);
      // Not required, but a different max or utilization would point at a semantic change.
      within(m.bsld.max, ref.maxBsld, 0.01);
      within(m.utilization, ref.util, 0.005);
    });
  }
});
