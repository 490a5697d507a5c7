import { describe, expect, it } from 'vitest';
import { bucketDelta, histogramBuckets, histogramQuantile, metricSum, quantileUpperBound } from './prom.js';

const TEXT = `# HELP gsched_dispatch_latency_seconds From a start decision to the agent acknowledging it
# TYPE gsched_dispatch_latency_seconds histogram
gsched_dispatch_latency_seconds_bucket{le="0.001"} 10
gsched_dispatch_latency_seconds_bucket{le="0.005"} 60
gsched_dispatch_latency_seconds_bucket{le="0.01"} 90
gsched_dispatch_latency_seconds_bucket{le="0.05"} 100
gsched_dispatch_latency_seconds_bucket{le="+Inf"} 100
gsched_dispatch_latency_seconds_sum 0.4
gsched_dispatch_latency_seconds_count 100
# TYPE gsched_jobs_ended_total counter
gsched_jobs_ended_total{state="COMPLETED"} 42
gsched_jobs_ended_total{state="FAILED"} 3
`;

describe('Prometheus text', () => {
  it('reads counters with and without a label filter', () => {
    expect(metricSum(TEXT, 'gsched_jobs_ended_total')).toBe(45);
    expect(metricSum(TEXT, 'gsched_jobs_ended_total', { state: 'COMPLETED' })).toBe(42);
    expect(metricSum(TEXT, 'gsched_missing_total')).toBe(0);
  });

  it('reads histogram buckets in order', () => {
    expect(histogramBuckets(TEXT, 'gsched_dispatch_latency_seconds')).toEqual([
      { le: 0.001, count: 10 },
      { le: 0.005, count: 60 },
      { le: 0.01, count: 90 },
      { le: 0.05, count: 100 },
      { le: Infinity, count: 100 },
    ]);
  });

  it('estimates quantiles linearly within a bucket, as histogram_quantile does', () => {
    const b = histogramBuckets(TEXT, 'gsched_dispatch_latency_seconds');
    expect(histogramQuantile(b, 0.5)).toBeCloseTo(0.001 + (0.004 * 40) / 50, 12); // rank 50 in (1ms, 5ms]
    expect(histogramQuantile(b, 0.99)).toBeCloseTo(0.01 + (0.04 * 9) / 10, 12);
    expect(histogramQuantile(b, 0.05)).toBeCloseTo(0.0005, 12);
    expect(quantileUpperBound(b, 0.99)).toBe(0.05);
    expect(histogramQuantile([{ le: Infinity, count: 0 }], 0.5)).toBeNull();
  });

  it('returns the largest finite bound when the rank falls in +Inf', () => {
    expect(histogramQuantile([{ le: 1, count: 1 }, { le: Infinity, count: 10 }], 0.99)).toBe(1);
  });

  it('subtracts an earlier scrape', () => {
    const before = [{ le: 1, count: 5 }, { le: Infinity, count: 7 }];
    const after = [{ le: 1, count: 8 }, { le: Infinity, count: 12 }];
    expect(bucketDelta(after, before)).toEqual([{ le: 1, count: 3 }, { le: Infinity, count: 5 }]);
  });
});
