// The clients of bench:metrics, each in a worker thread of its own: the load generator (one-core
// tasks over HTTP, as bench:live sends them) and the scraper (GET /metrics every second). They
// are other processes in a real deployment (the labs' clients, Prometheus): here they get their
// own event loops, so the scheduler's loop carries only the scheduler's work, and a scrape's
// round trip is not held up by the load generator's own JSON.
//
// Both take orders from the bench: the load generator runs one round (its tasks submitted, then
// awaited to the last) per 'round' order; the scraper scrapes between 'on' and 'off' and sends
// that stretch's times at each 'off'.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { ApiClient } from '../cli/index.js';
import { ThreadWait } from './thread-sched.js';
import type { JobSpec } from '../scheduler/core/index.js';

export interface LoadJob {
  role: 'load';
  url: string;
  token: string;
  containers: number;
  batch: number;
  maxTimeMs: number;
  timeoutS: number;
}

export interface ScrapeJob {
  role: 'scrape';
  url: string;
  everyMs: number;
}

/** The matched replay's scraper (metrics-replay.ts): one GET /metrics per 'get' order. */
export interface ProbeJob {
  role: 'probe';
}

/** What the bench tells a worker. */
export type ClientOrder = { type: 'round'; tasks: number } | { type: 'on' } | { type: 'off' } | { type: 'get'; url: string } | { type: 'ping' } | { type: 'away' } | { type: 'stop' };

/** What a worker tells the bench. */
export type ClientMessage =
  | { type: 'ready' }
  | { type: 'loaded'; seconds: number }
  | { type: 'scraped'; scrapeMs: number[]; bytes: number; slow: SlowScrapeSeen[] }
  | { type: 'got'; ms: number }
  | { type: 'failed'; error: string };

/** A scrape this slow is reported with its start time (the target is a p99 of 50 ms). */
export const SLOW_MS = 50;

/** A slow scrape as the scraper saw it: when it started (epoch ms), how long it took, and how long the scraper's own thread waited for a core meanwhile (null: unknown). */
export interface SlowScrapeSeen {
  at: number;
  ms: number;
  scraperWaitMs: number | null;
}

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
  post({ type: 'ready' });
  let round = 0;
  // One round at a time, in order: the orders are queued and run one after another.
  let chain = Promise.resolve();
  parentPort?.on('message', (m: ClientOrder) => {
    if (m.type === 'stop') return parentPort?.removeAllListeners('message');
    if (m.type !== 'round') return;
    chain = chain
      .then(async () => post({ type: 'loaded', seconds: await submitAndWait(client, job, m.tasks, `round-${round++}`) }))
      .catch((err: unknown) => post({ type: 'failed', error: (err as Error).stack ?? String(err) }));
  });
}

async function scrape(job: ScrapeJob): Promise<void> {
  // Orders are acted on between scrapes: an 'off' is answered once no scrape is in flight, so
  // the bench's quiet round that follows has none of this stretch's scrapes in it.
  const orders: ClientOrder[] = [];
  let wake: (() => void) | null = null;
  parentPort?.on('message', (m: ClientOrder) => {
    orders.push(m);
    wake?.();
  });
  /** Waits `ms` (forever when null) or until an order comes. */
  const idle = (ms: number | null): Promise<void> =>
    new Promise<void>((r) => {
      const timer = ms === null ? null : setTimeout(r, ms);
      wake = () => {
        if (timer) clearTimeout(timer);
        r();
      };
    }).then(() => void (wake = null));
  let on = false;
  let scrapeMs: number[] = [];
  /** Scrapes slower than SLOW_MS, with when they started (epoch ms), to match with the scheduler's stalls. */
  let slow: SlowScrapeSeen[] = [];
  const wait = ThreadWait.open();
  let bytes = 0;
  for (;;) {
    for (let m = orders.shift(); m; m = orders.shift()) {
      if (m.type === 'stop') {
        parentPort?.removeAllListeners('message');
        return;
      }
      if (m.type === 'on') on = true;
      if (m.type === 'off') {
        on = false;
        post({ type: 'scraped', scrapeMs, bytes, slow });
        scrapeMs = [];
        slow = [];
      }
    }
    if (!on) {
      await idle(null);
      continue;
    }
    const w = wait?.waitMs() ?? 0;
    const t = performance.now();
    const res = await fetch(`${job.url}/metrics`);
    const text = await res.text();
    if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
    const ms = performance.now() - t;
    scrapeMs.push(ms);
    if (ms > SLOW_MS) slow.push({ at: performance.timeOrigin + t, ms, scraperWaitMs: wait ? wait.waitMs() - w : null });
    bytes = text.length;
    if (orders.length === 0) await idle(Math.max(0, job.everyMs - (performance.now() - t)));
  }
}

let lastBody = '';
let away: Promise<string> | null = null;

/** This thread's own server of the last scraped body (the 'away' orders' target). */
function startAway(): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer((_req, res) => res.end(lastBody));
    server.unref();
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
  });
}

/** One scrape per 'get' order, answered with its round trip (and 'away' and 'ping' round trips that leave the scheduler's thread alone). */
function probe(): Promise<void> {
  return new Promise((resolve, reject) => {
    parentPort?.on('message', (m: ClientOrder) => {
      if (m.type === 'stop') {
        parentPort?.removeAllListeners('message');
        return resolve();
      }
      if (m.type === 'ping') return post({ type: 'got', ms: 0 });
      const t = performance.now();
      if (m.type === 'away') {
        // A scrape's round trip that the scheduler's thread takes no part in: the last body
        // scraped, served by this thread's own server.
        (away ??= startAway())
          .then(async (url) => {
            await (await fetch(url)).text();
            post({ type: 'got', ms: performance.now() - t });
          })
          .catch(reject);
        return;
      }
      if (m.type !== 'get') return;
      fetch(`${m.url}/metrics`)
        .then(async (res) => {
          lastBody = await res.text();
          if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
          post({ type: 'got', ms: performance.now() - t });
        })
        .catch(reject);
    });
  });
}

const job = workerData as LoadJob | ScrapeJob | ProbeJob;
(job.role === 'load' ? load(job) : job.role === 'scrape' ? scrape(job) : probe()).catch((err: unknown) => post({ type: 'failed', error: (err as Error).stack ?? String(err) }));
