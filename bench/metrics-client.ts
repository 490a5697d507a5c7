// The clients of bench:metrics, each in a worker thread of its own: the load generator (one-core
// tasks over HTTP, as bench:live sends them) and the scraper (GET /metrics every second). They
// are other processes in a real deployment (the labs' clients, Prometheus): here they get their
// own event loops, so the scheduler's loop carries only the scheduler's work, and a scrape's
// round trip is not held up by the load generator's own JSON.
import { parentPort, workerData } from 'node:worker_threads';
import { ApiClient } from '../cli/index.js';
import type { JobSpec } from '../scheduler/core/index.js';

export interface LoadJob {
  role: 'load';
  url: string;
  token: string;
  containers: number;
  warmup: number;
  tasks: number;
  batch: number;
  maxTimeMs: number;
  timeoutS: number;
}

export interface ScrapeJob {
  role: 'scrape';
  url: string;
  everyMs: number;
}

/** What a worker tells the bench: the measured load starts, the load is done, the scrapes. */
export type ClientMessage =
  | { type: 'measuring' }
  | { type: 'loaded'; seconds: number }
  | { type: 'scraped'; scrapeMs: number[]; bytes: number }
  | { type: 'failed'; error: string };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const post = (m: ClientMessage): void => parentPort?.postMessage(m);

function spec(n: number, maxTimeMs: number, name: string): JobSpec {
  const task = { cores: 1, memMb: 100, timeLimitMs: maxTimeMs, durationMs: 1, kernel: 'noop' };
  return { name, owner: 'bench', account: 'research-ngc', partition: 'research', qos: 'normal', purpose: 'research', pseudonyms: [], tasks: Array.from({ length: n }, () => ({ ...task })), class: 'bench' };
}

async function submitAndWait(client: ApiClient, job: LoadJob, tasks: number, prefix: string): Promise<number> {
  const t0 = performance.now();
  for (let left = tasks, i = 0; left > 0; left -= job.batch, i++) await client.submit(spec(Math.min(job.batch, left), job.maxTimeMs, `${prefix}-${i}`));
  for (;;) {
    const c = await client.cluster();
    if (c.pendingTasks + c.runningTasks === 0 && c.pendingJobs + c.runningJobs === 0) break;
    if (performance.now() - t0 > job.timeoutS * 1000) throw new Error(`not every task ended within ${job.timeoutS} s`);
    await sleep(50);
  }
  return (performance.now() - t0) / 1000;
}

async function load(job: LoadJob): Promise<void> {
  const client = ApiClient.fromOptions({ url: job.url, token: job.token, timeout: '120' });
  for (;;) {
    const c = await client.cluster();
    if (c.agents.filter((a) => a.connected).length === job.containers && c.coresDown === 0) break;
    await sleep(100);
  }
  await submitAndWait(client, job, job.warmup, 'warm-up');
  post({ type: 'measuring' });
  post({ type: 'loaded', seconds: await submitAndWait(client, job, job.tasks, 'bench') });
}

async function scrape(job: ScrapeJob): Promise<void> {
  // 'measure': the scrapes so far were the warm-up, keep the times from now; 'stop': report them.
  let stop = false;
  const scrapeMs: number[] = [];
  parentPort?.on('message', (m: 'measure' | 'stop') => {
    if (m === 'measure') scrapeMs.length = 0;
    else stop = true;
  });
  let bytes = 0;
  while (!stop) {
    const t = performance.now();
    const res = await fetch(`${job.url}/metrics`);
    const text = await res.text();
    scrapeMs.push(performance.now() - t);
    bytes = text.length;
    if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
    await sleep(Math.max(0, job.everyMs - (performance.now() - t)));
  }
  post({ type: 'scraped', scrapeMs, bytes });
  parentPort?.removeAllListeners('message');
}

const job = workerData as LoadJob | ScrapeJob;
(job.role === 'load' ? load(job) : scrape(job)).catch((err: unknown) => post({ type: 'failed', error: (err as Error).stack ?? String(err) }));
