// GET /api/v1/events over real HTTP (fastify listening on a loopback port, the live driver,
// lmdb in a temp folder): events as jobs and nodes change, resume after Last-Event-ID, the
// heartbeat comment, and `reset` when the events asked for are gone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../common/index.js';
import { AgentHub } from '../agents/index.js';
import { LiveDriver, combineObservers, makeCore } from '../driver/index.js';
import { EventBus, LiveState, redactFor } from '../events/index.js';
import { Security } from '../security/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER, testJob } from '../testing/index.js';
import { SchedulerMetrics, buildApi } from './index.js';

const TOKEN = 'test-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'gsched-events-'));
let app: FastifyInstance;
let hub: AgentHub;
let driver: LiveDriver;
let bus: EventBus;
let base: string;
let security: Security;

beforeAll(async () => {
  const config = loadClusterConfig(SMALL_CLUSTER());
  const log = pino({ level: 'silent' });
  const metrics = new SchedulerMetrics();
  bus = new EventBus({ capacity: 50 });
  const core = makeCore(config);
  const live = new LiveState(() => core, bus);
  const store = new Store(dir);
  driver = new LiveDriver({ core, store, log, timeScale: 1, forgetAfterMs: 100, observer: combineObservers(metrics.observer(), live) });
  live.init();
  hub = new AgentHub(driver, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log });
  security = Security.open(dir, store.auditTarget());
  security.bootstrap(TOKEN);
  app = buildApi({ driver, hub, metrics, security, events: bus, eventHeartbeatMs: 150 });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
  hub.close();
  await driver.close();
  await security.close();
  await driver.store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Frame {
  id?: string;
  event?: string;
  data?: unknown;
  comment?: string;
}

/** Reads the stream until `done` says so (or 5 s pass), then disconnects. */
async function readStream(headers: Record<string, string>, done: (frames: Frame[]) => boolean, query = ''): Promise<Frame[]> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), 5000);
  const res = await fetch(`${base}/api/v1/events${query}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers }, signal: ctl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const frames: Frame[] = [];
  let text = '';
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      let cut: number;
      while ((cut = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, cut);
        text = text.slice(cut + 2);
        const f: Frame = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) f.comment = line.slice(1).trim();
          else if (line.startsWith('id: ')) f.id = line.slice(4);
          else if (line.startsWith('event: ')) f.event = line.slice(7);
          else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
        }
        frames.push(f);
      }
      if (done(frames)) break;
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(timer);
    ctl.abort();
  }
  return frames;
}

const jobFrames = (fs: Frame[]) => fs.filter((f) => f.event === 'job') as (Frame & { data: { id: number; state: string; pseudonyms?: string[] } })[];

describe('GET /api/v1/events', () => {
  it('needs the bearer token', async () => {
    const res = await fetch(`${base}/api/v1/events`);
    expect(res.status).toBe(401);
  });

  it('streams a submitted and a cancelled job, a drained node, and a heartbeat', async () => {
    const reading = readStream({}, (fs) => jobFrames(fs).some((f) => f.data.state === 'CANCELLED') && fs.some((f) => f.event === 'node') && fs.some((f) => f.comment === 'heartbeat'));
    await new Promise((r) => setTimeout(r, 100));
    const sub = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: testJob([{ cores: 2 }], { owner: 'sse' }) });
    const id = (sub.json() as { jobIds: number[] }).jobIds[0];
    await app.inject({ method: 'POST', url: '/api/v1/nodes/c1-n001/drain', headers: { authorization: `Bearer ${TOKEN}` } });
    await app.inject({ method: 'DELETE', url: `/api/v1/jobs/${id}`, headers: { authorization: `Bearer ${TOKEN}` } });
    const frames = await reading;
    const mine = jobFrames(frames).filter((f) => f.data.id === id);
    expect(mine.map((f) => f.data.state)).toEqual(['PENDING', 'CANCELLED']);
    expect(mine[0]?.data).toMatchObject({ account: 'rh-genetics', partition: expect.any(String), cores: 2 });
    expect(frames.find((f) => f.event === 'node')?.data).toMatchObject({ name: 'c1-n001', container: 'c1' });
    for (const f of frames.filter((x) => x.event !== undefined)) expect(f.id).toMatch(new RegExp(`^${bus.boot}-\\d+$`));
    await app.inject({ method: 'POST', url: '/api/v1/nodes/c1-n001/resume', headers: { authorization: `Bearer ${TOKEN}` } });
  });

  it('resumes after Last-Event-ID with exactly the events missed', async () => {
    const before = bus.lastSeq;
    const lastId = `${bus.boot}-${before}`;
    const sub = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, payload: testJob([{}], { array: '0-2' }) });
    const ids = (sub.json() as { jobIds: number[] }).jobIds;
    const missed = await readStream({ 'last-event-id': lastId }, (fs) => jobFrames(fs).length >= 3);
    expect(jobFrames(missed).map((f) => f.data.id)).toEqual(ids);
    expect(missed.some((f) => f.event === 'reset')).toBe(false);
    const viaQuery = await readStream({}, (fs) => jobFrames(fs).length >= 3, `?lastEventId=${lastId}`);
    expect(jobFrames(viaQuery).map((f) => f.data.id)).toEqual(ids);
  });

  it('shows a viewer no pseudonyms, in job and consent events, where an operator sees them', async () => {
    const viewer = security.tokens.create({ role: 'viewer', name: 'wall', createdBy: 'test' }).token;
    const operator = security.tokens.create({ role: 'operator', name: 'otto', createdBy: 'test' }).token;
    const ps = 'P-55aa01';
    const after = `${bus.boot}-${bus.lastSeq}`;
    const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    expect((await app.inject({ method: 'POST', url: '/api/v1/consent', headers: admin, payload: { pseudonym: ps, status: 'granted', documentRef: 'doc-sse' } })).statusCode).toBe(200);
    const sub = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: admin, payload: testJob([{}], { owner: 'sse', pseudonyms: [ps] }) });
    expect(sub.statusCode, sub.body).toBe(201);
    const id = (sub.json() as { jobIds: number[] }).jobIds[0];
    const both = (fs: Frame[]): boolean => fs.some((f) => f.event === 'consent') && jobFrames(fs).some((f) => f.data.id === id);
    const seen = await readStream({ authorization: `Bearer ${viewer}`, 'last-event-id': after }, both);
    const told = await readStream({ authorization: `Bearer ${operator}`, 'last-event-id': after }, both);
    expect(JSON.stringify(seen)).not.toContain(ps);
    expect(seen.find((f) => f.event === 'consent')?.data).toEqual({ pseudonym: null, status: 'granted' });
    expect(jobFrames(seen).find((f) => f.data.id === id)?.data).toMatchObject({ id, account: 'rh-genetics' });
    expect(told.find((f) => f.event === 'consent')?.data).toEqual({ pseudonym: ps, status: 'granted' });
    expect(jobFrames(told).find((f) => f.data.id === id)?.data.pseudonyms).toEqual([ps]);
    await app.inject({ method: 'DELETE', url: `/api/v1/jobs/${id}`, headers: { authorization: `Bearer ${TOKEN}` } });
  });

  it('says reset when the events asked for are gone: another run, or older than the bus holds', async () => {
    const other = await readStream({ 'last-event-id': 'zz-5' }, (fs) => fs.some((f) => f.event === 'reset'));
    expect(other.find((f) => f.event === 'reset')?.data).toMatchObject({ reason: expect.any(String) });
    for (let i = 0; i < 60; i++) bus.publish('reservation', { name: `r${i}`, action: 'created' });
    const old = await readStream({ 'last-event-id': `${bus.boot}-1` }, (fs) => fs.some((f) => f.event === 'reset'));
    expect(old.filter((f) => f.event === 'reservation')).toEqual([]);
  });
});

describe('event bus', () => {
  it('keeps the last `capacity` events and resumes within them', () => {
    const b = new EventBus({ capacity: 3, boot: 'b1', now: () => 7 });
    for (let i = 0; i < 5; i++) b.publish('reservation', { name: `r${i}`, action: 'created' });
    expect(b.since('b1-2')).toEqual({ events: [expect.objectContaining({ id: 'b1-3' }), expect.objectContaining({ id: 'b1-4' }), expect.objectContaining({ id: 'b1-5', at: 7 })], gap: false });
    expect(b.since('b1-1').gap).toBe(true);
    expect(b.since('b1-5')).toEqual({ events: [], gap: false });
    expect(b.since('b1-9').gap).toBe(true);
    expect(b.since('nonsense').gap).toBe(true);
    expect(() => new EventBus({ capacity: 0 })).toThrow(/capacity/);
  });

  it('shows a viewer no pseudonyms', () => {
    const b = new EventBus({ boot: 'b2' });
    const job = b.publish('job', { id: 1, displayId: '1', name: 'x', state: 'PENDING', account: 'a', partition: 'p', class: null, cores: 1, pseudonyms: ['P-1'] });
    const consent = b.publish('consent', { pseudonym: 'P-1', status: 'granted' });
    expect(JSON.stringify(redactFor(job, { seesPseudonyms: false }))).not.toContain('P-1');
    expect(redactFor(consent, { seesPseudonyms: false })).toEqual({ pseudonym: null, status: 'granted' });
    expect(redactFor(job, { seesPseudonyms: true })).toMatchObject({ pseudonyms: ['P-1'] });
  });
});
