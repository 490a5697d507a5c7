// What a scrape serves: the snapshot's gauges as formatted when the snapshot was taken (a scrape
// neither collects nor formats them), with the event counters and histograms as of the scrape.
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
