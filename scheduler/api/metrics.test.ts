// What a scrape serves: the latest snapshot's gauges, formatted once per snapshot (ahead of time
// while someone scrapes, by the first scrape after a quiet spell), with the event counters and
// histograms as of the scrape.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../core/index.js';
import { closeApiStack, openApiStack, testJob, type ApiStack } from '../testing/index.js';
import { buildApi } from './index.js';

let stack: ApiStack;
let app: ReturnType<typeof buildApi>;

beforeAll(async () => {
  stack = openApiStack(mkdtempSync(join(tmpdir(), 'gsched-metrics-')));
  // No snapshot timer during the test: snapshots are taken by hand.
  stack.metrics.watch(stack.driver, stack.hub, undefined, { snapshotMs: 3_600_000 });
  app = buildApi({ driver: stack.driver, hub: stack.hub, metrics: stack.metrics, apiToken: 't'.repeat(24) });
  await app.ready();
});

afterAll(async () => {
  stack.metrics.close();
  await closeApiStack(app, stack);
});

const scrape = async (): Promise<string> => (await app.inject({ method: 'GET', url: '/metrics' })).body;
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('a scrape', () => {
  it('serves the gauges of the latest snapshot, and the event counters as they are now', async () => {
    expect(sample(await scrape(), 'gsched_queue_depth')).toBe(0);
    await stack.driver.submit(testJob([{ cores: 1 }, { cores: 1 }, { cores: 1 }]) as unknown as JobSpec);
    stack.metrics.heartbeat('agent-x');
    const before = await scrape();
    // Taken before the submit: the snapshot has not seen it yet.
    expect(sample(before, 'gsched_queue_depth')).toBe(0);
    expect(sample(before, 'gsched_agent_heartbeats_total{agent="agent-x"}')).toBe(1);
    await stack.metrics.snapshot();
    const after = await scrape();
    expect(sample(after, 'gsched_queue_depth')).toBe(3);
    // Scrapes between snapshots serve the same snapshot text.
    stack.metrics.heartbeat('agent-x');
    const again = await scrape();
    expect(again.split('gsched_agent_heartbeats_total')[0]).toBe(after.split('gsched_agent_heartbeats_total')[0]);
    expect(sample(again, 'gsched_agent_heartbeats_total{agent="agent-x"}')).toBe(2);
  });
});

describe('formatting', () => {
  it('is paid for by scraping: none while nobody scrapes, on the timer while someone does, and never stale', async () => {
    const renders: string[] = [];
    stack.metrics.onCost = (what) => what === 'render' && renders.push('render');
    try {
      await scrape();
      const before = renders.length;
      // The text above was scraped: this snapshot is formatted ahead, and the scrape formats
      // nothing more (it serves that text, or awaits it).
      expect(stack.metrics.takeSnapshot()).toBe(true);
      await scrape();
      expect(renders.length).toBe(before + 1);
      expect(stack.metrics.takeSnapshot()).toBe(true);
      await new Promise(setImmediate); // formatting settles in microtasks
      // Nobody scrapes: snapshots are taken (the dashboard reads them) but not formatted.
      expect(stack.metrics.takeSnapshot()).toBe(false);
      expect(stack.metrics.takeSnapshot()).toBe(false);
      const quiet = renders.length;
      // A scrape after the quiet spell formats the latest snapshot, not the last one formatted.
      await stack.driver.submit(testJob([{ cores: 1 }]) as unknown as JobSpec);
      const depth = stack.driver.core.cluster().pendingTasks;
      stack.metrics.takeSnapshot();
      expect(sample(await scrape(), 'gsched_queue_depth')).toBe(depth);
      expect(renders.length).toBe(quiet + 1);
    } finally {
      stack.metrics.onCost = null;
    }
  });
});

describe('process metrics', () => {
  it('has the resident memory and the event-loop delay quantiles, without the families that cost the most to format', async () => {
    // The quantiles cover the delay since the histogram was last read and reset, and keep their
    // old value when it holds no sample: a snapshot taken just before (the scheduler's own timer)
    // can leave the gauges at 0. This failed once on a loaded host; wait for samples, 10 tries at most.
    let text = '';
    let p99: number | undefined;
    for (let i = 0; i < 10 && !(p99 !== undefined && p99 > 0); i++) {
      await new Promise((r) => setTimeout(r, 30));
      await stack.metrics.snapshot();
      text = await scrape();
      p99 = sample(text, 'gsched_process_nodejs_eventloop_lag_p99_seconds');
    }
    expect(sample(text, 'gsched_process_process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(sample(text, 'gsched_process_nodejs_eventloop_lag_p50_seconds') ?? Infinity);
    expect(text).not.toContain('eventloop_lag_stddev');
    expect(text).not.toContain('process_virtual_memory_bytes');
  });
});
