import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, DEFAULT_URL, resolveClientConfig } from './client.js';
import { CliError } from './errors.js';
import { fakeJob, startFakeApi, type FakeApi, freePort } from './testing/index.js';

async function refusal(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
}

describe('resolveClientConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gsched-client-'));
  writeFileSync(join(dir, 'api-token'), 'from-file\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers flags, then the environment, then the token file and defaults', () => {
    expect(resolveClientConfig({ state: dir }, {})).toEqual({ baseUrl: DEFAULT_URL, token: 'from-file', timeoutMs: 15_000 });
    expect(resolveClientConfig({}, { GSCHED_STATE: dir, GSCHED_URL: 'http://127.0.0.1:1/', GSCHED_TOKEN: 'env' })).toEqual({
      baseUrl: 'http://127.0.0.1:1',
      token: 'env',
      timeoutMs: 15_000,
    });
    expect(resolveClientConfig({ url: 'http://127.0.0.1:2', token: 'flag', timeout: '0.5' }, { GSCHED_URL: 'http://127.0.0.1:1', GSCHED_TOKEN: 'env' })).toEqual({
      baseUrl: 'http://127.0.0.1:2',
      token: 'flag',
      timeoutMs: 500,
    });
    expect(resolveClientConfig({ stateDir: join(dir, 'missing') }, {}).token).toBeNull();
  });

  it('refuses a URL or timeout it cannot use, as bad usage', () => {
    for (const opts of [{ url: 'localhost:8470' }, { url: 'ftp://127.0.0.1' }, { timeout: '0' }, { timeout: 'soon' }]) {
      let caught: unknown;
      try {
        resolveClientConfig(opts, {});
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode).toBe(2);
    }
  });
});

describe('ApiClient against a stand-in scheduler', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(() => api.close());
  const client = (token: string | null = 'test-token'): ApiClient => new ApiClient({ baseUrl: api.url, token, timeoutMs: 5000 });

  it('sends the bearer token and reads JSON back', async () => {
    const nodes = await client().nodes();
    expect(nodes.map((n) => n.name)).toContain('c1-n001');
  });

  it('maps problem+json to CliError: bad input exit 2, other failures exit 1', async () => {
    const spec = { name: 'x', owner: 'o', account: 'nope', partition: 'clinical', qos: 'normal', purpose: 'treatment' as const, pseudonyms: [], tasks: [{ cores: 1, memMb: 1 }] };
    const bad = await refusal(client().submit(spec));
    expect(bad.exitCode).toBe(2);
    expect(bad.message).toBe('account: nope is not known here');
    const missing = await refusal(client().getJob('999999'));
    expect(missing.exitCode).toBe(1);
    expect(missing.message).toBe('no job 999999');
  });

  it('says how to supply a token when the scheduler refuses it', async () => {
    const none = await refusal(client(null).nodes());
    expect(none.exitCode).toBe(1);
    expect(none.message).toContain('no API token found');
    const wrong = await refusal(client('wrong').nodes());
    expect(wrong.message).toContain('the API token was refused');
  });

  it('follows pages until it has every job', async () => {
    const spec = { name: 'p', owner: 'o', account: 'a', partition: 'clinical', qos: 'normal', purpose: 'treatment' as const, pseudonyms: [], tasks: [{ cores: 1, memMb: 1 }] };
    for (let i = 0; i < 7; i++) api.jobs.set(String(9000 + i), fakeJob(9000 + i, spec, 0));
    const { jobs } = await client().allJobs({ state: ['PENDING'] }, 3);
    expect(jobs.filter((j) => j.id >= 9000).map((j) => j.id)).toEqual([9000, 9001, 9002, 9003, 9004, 9005, 9006]);
    expect(api.requests.filter((r) => r.includes('limit=3')).length).toBeGreaterThanOrEqual(3);
  });
});

describe('ApiClient when the scheduler is away', () => {
  it('exits 3 with a hint when nothing listens', async () => {
    const port = await freePort();
    const e = await refusal(new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: null, timeoutMs: 5000 }).nodes());
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(`cannot reach the scheduler at http://127.0.0.1:${port}: is it running? (npm start)`);
  });

  it('exits 3 when the scheduler does not answer in time', async () => {
    const silent: Server = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const { port } = silent.address() as AddressInfo;
      const e = await refusal(new ApiClient({ baseUrl: `http://127.0.0.1:${port}`, token: null, timeoutMs: 200 }).nodes());
      expect(e.exitCode).toBe(3);
      expect(e.message).toContain('did not answer within 0.2 s');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('ApiClient over the rate limit', () => {
  it('waits as Retry-After says and tries again, then gives up with the scheduler\'s reason', async () => {
    let calls = 0;
    let limitFor = 2;
    const server: Server = createServer((_req, res) => {
      calls++;
      if (calls <= limitFor) {
        res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '0' });
        res.end(JSON.stringify({ status: 429, code: 'RATE_LIMITED', detail: 'token t is over its rate limit (1/s); retry after 1 s' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ nodes: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const c = new ApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: 'x'.repeat(20), timeoutMs: 5000 });
      expect(await c.nodes()).toEqual([]);
      expect(calls).toBe(3);
      calls = 0;
      limitFor = 100;
      const e = await c.nodes().then(() => null, (err: unknown) => err as CliError);
      expect(e).toBeInstanceOf(CliError);
      expect(e?.message).toMatch(/over its rate limit/);
      expect(calls).toBe(6);
    } finally {
      server.close();
    }
  });
});
