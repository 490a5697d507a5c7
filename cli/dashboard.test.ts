// The dashboard in a real browser (Debian's chromium, driven by playwright-core) against a
// real `gsched up` (scheduler and three agents on the default cluster): the URL it prints
// opens the page signed in; the page shows three containers and the core total that
// GET /api/v1/cluster reports, and a newly submitted job within 2 s. It keeps a screenshot
// (artifacts/dashboard.png) of the cluster at work.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../common/index.js';
import { startGschedUp, type GschedUp } from './testing/index.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let up: GschedUp;
let browser: BrowserContext;
let profile: string;
let dashboardUrl: string;
let token: string;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${up.httpUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const CLASSES = ['wgs', 'wes', 'gene-panel', 'tumour-normal'] as const;
const ACCOUNTS = ['rh-genetics', 'rh-oncology', 'herlev-genetics', 'auh-genetics', 'ouh-genetics'];

/** Work for the screenshot: jobs of each class, two to six modelled hours of 8 to 32 cores per task (more than the cluster holds at once). */
// Patients with written consent on record: a class that reads patient data must name them.
const PATIENTS = ['P-dash01', 'P-dash02', 'P-dash03'];

function job(i: number): object {
  const cls = CLASSES[i % CLASSES.length] as string;
  const tasks = Array.from({ length: 2 + (i % 5) }, (_v, t) => ({ cores: [8, 16, 32][(i + t) % 3], memMb: 8000, durationMs: (2 + ((i * 7 + t) % 5)) * 3_600_000, timeLimitMs: 8 * 3_600_000 }));
  return { name: `${cls}-${i}`, owner: 'dashboard-test', account: ACCOUNTS[i % ACCOUNTS.length], partition: i % 6 === 5 ? 'research' : 'clinical', qos: i % 9 === 0 ? 'urgent' : 'normal', purpose: i % 6 === 5 ? 'research' : 'treatment', tasks, class: cls, pseudonyms: [PATIENTS[i % PATIENTS.length]] };
}

beforeAll(async () => {
  up = await startGschedUp({ timeScale: 0.001, args: ['--kernels', 'noop'], readyTimeoutMs: 90_000 });
  const line = /^dashboard: (\S+)$/m.exec(up.banner);
  if (!line?.[1]) throw new Error(`gsched up printed no dashboard URL:\n${up.banner}`);
  dashboardUrl = line[1];
  token = (await import('node:fs')).readFileSync(join(up.state, 'api-token'), 'utf8').trim();
  profile = mkdtempSync(join(tmpdir(), 'gsched-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 1000 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await up?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the dashboard in chromium', () => {
  it('opens from the URL gsched up prints, shows the three containers, the cluster core total and a new job within 2 s', async () => {
    expect(dashboardUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=\S+$/);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(dashboardUrl);
    await page.waitForSelector('[data-testid=container] .node', { timeout: 20_000 });
    await page.waitForFunction("document.getElementById('live')?.textContent === 'live'", undefined, { timeout: 10_000 });
    const cluster = await api<{ cores: number; containers: { name: string }[] }>('GET', '/api/v1/cluster');
    expect(await page.locator('[data-testid=container]').count()).toBe(3);
    expect(await page.locator('[data-testid=container]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual(cluster.containers.map((c) => c.name));
    expect((await page.textContent('#cores-total'))?.replace(/,/g, '')).toBe(String(cluster.cores));
    // The token left the address bar once the page had it.
    expect(page.url()).not.toContain('token=');

    for (const pseudonym of PATIENTS) await api('POST', '/api/v1/consent', { pseudonym, status: 'granted', documentRef: `doc-${pseudonym}` });
    const sub = await api<{ displayIds: string[] }>('POST', '/api/v1/jobs', job(0));
    const shown = `job ${sub.displayIds[0]} `;
    const t0 = Date.now();
    await page.waitForFunction(`[...document.querySelectorAll('#events li')].some((li) => li.textContent.includes(${JSON.stringify(shown)}))`, undefined, { timeout: 2000 });
    expect(Date.now() - t0).toBeLessThanOrEqual(2000);

    // Some work, then a screenshot of the cluster running it.
    await api('POST', '/api/v1/nodes/c2-n005/drain');
    for (let i = 1; i < 480; i += 40) await Promise.all(Array.from({ length: 40 }, (_v, k) => api('POST', '/api/v1/jobs', job(i + k))));
    await page.waitForFunction("Number(document.getElementById('cores-allocated')?.textContent?.replace(/,/g, '')) > 0", undefined, { timeout: 10_000 });
    await page.waitForTimeout(8000);
    const dir = join(packageRoot(), 'artifacts');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    // The URL's token is a viewer's: enough for the page, not for an operator's route; and the
    // page, which showed these patients' jobs, shows none of their pseudonyms.
    const viewer = decodeURIComponent(/#token=(\S+)$/.exec(dashboardUrl)?.[1] ?? '');
    const drain = await fetch(`${up.httpUrl}/api/v1/nodes/c1-n001/drain`, { method: 'POST', headers: { authorization: `Bearer ${viewer}` } });
    expect(drain.status).toBe(403);
    expect(await page.content()).not.toMatch(/P-dash0\d/);
  }, 120_000);
});
