// A stand-in for the scheduler's HTTP API, as the contract describes it, for testing the
// CLI's commands in-process without the live cluster. Jobs do not run: tests move them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobSpec, JobState, JobView, NodeView } from '../../contract/index.js';

export interface FakeApi {
  url: string;
  token: string;
  jobs: Map<string, JobView>;
  nodes: NodeView[];
  /** Every request seen, as `METHOD path?query`. */
  requests: string[];
  close(): Promise<void>;
}

const PRIORITY = { age: 0, fairshare: 0.5, qos: 0.5, partition: 1, size: 0.01, total: 10_000 };

export function fakeJob(id: number, spec: JobSpec, at: number, displayId = String(id)): JobView {
  return {
    id,
    displayId,
    name: spec.name,
    owner: spec.owner ?? 'anna',
    account: spec.account,
    partition: spec.partition,
    qos: spec.qos,
    purpose: spec.purpose ?? 'treatment',
    class: spec.class ?? null,
    state: 'PENDING',
    reason: 'Priority',
    endReason: null,
    queuePosition: 1,
    priority: PRIORITY,
    submittedAt: at,
    startedAt: null,
    endedAt: null,
    cores: spec.tasks.reduce((a, t) => a + t.cores, 0),
    pseudonyms: spec.pseudonyms ?? [],
    dependencies: spec.dependencies ?? [],
    dependencyAny: spec.dependencyAny === true,
    arrayJobId: null,
    arrayIndex: null,
    hold: spec.hold ? 'user' : null,
    beginAt: spec.beginAt ?? null,
    nice: spec.nice ?? 0,
    reservation: spec.reservation ?? null,
    tasks: spec.tasks.map((t, i) => ({
      id: id * 100 + i,
      index: i,
      name: `t${i}`,
      state: 'PENDING',
      cores: t.cores,
      memMb: t.memMb,
      timeLimitMs: t.timeLimitMs ?? 86_400_000,
      after: t.after ?? [],
      node: null,
      startedAt: null,
      endedAt: null,
      attempts: 0,
      preemptions: 0,
      requeues: 0,
      durationMs: t.durationMs ?? null,
      kernel: t.kernel ?? null,
    })),
    nodes: [],
  };
}

export function fakeNode(name: string, container: string, over: Partial<NodeView> = {}): NodeView {
  return { name, container, kind: 'std', cooling: 'air', state: 'IDLE', cores: 64, coresUsed: 0, memMb: 262144, memUsedMb: 0, tasks: 0, ...over };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const problem = status >= 400;
  res.writeHead(status, { 'content-type': problem ? 'application/problem+json' : 'application/json' });
  res.end(JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, code: string, detail: string, field?: string): void {
  send(res, status, { type: 'about:blank', title: code, status, detail, code, ...(field ? { field } : {}) });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text === '' ? undefined : JSON.parse(text);
}

export async function startFakeApi(token = 'test-token'): Promise<FakeApi> {
  let nextId = 100;
  const jobs = new Map<string, JobView>();
  const nodes: NodeView[] = [fakeNode('c1-n001', 'c1'), fakeNode('c1-n002', 'c1'), fakeNode('c2-n001', 'c2', { kind: 'highmem', memMb: 1572864 })];
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      requests.push(`${req.method} ${u.pathname}${u.search}`);
      if (u.pathname === '/healthz') return send(res, 200, { ok: true });
      if (req.headers.authorization !== `Bearer ${token}`) return problem(res, 401, 'UNAUTHORIZED', 'missing or wrong bearer token');
      const body = await readBody(req);
      const parts = u.pathname.split('/').filter(Boolean).slice(2); // after /api/v1
      const [kind, id, verb] = parts;
      if (kind === 'whoami') return send(res, 200, { id: 't_fake', name: 'anna', role: 'admin', accounts: [] });
      if (kind === 'jobs' && id === undefined && req.method === 'POST') {
        const spec = body as JobSpec;
        if (spec.account === 'nope') return problem(res, 422, 'UNKNOWN_ACCOUNT', 'nope is not known here', 'account');
        const views: JobView[] = [];
        if (spec.array !== undefined) {
          const [lo, hi] = (spec.array.split('%')[0] ?? '').split('-').map(Number);
          const base = nextId;
          for (let i = lo ?? 0; i <= (hi ?? lo ?? 0); i++) views.push({ ...fakeJob(nextId++, spec, Date.now(), `${base}_${i}`), arrayJobId: base, arrayIndex: i });
        } else {
          views.push(fakeJob(nextId++, spec, Date.now()));
        }
        for (const v of views) jobs.set(v.displayId, v);
        return send(res, 201, { jobIds: views.map((v) => v.id), displayIds: views.map((v) => v.displayId) });
      }
      if (kind === 'jobs' && id === undefined && req.method === 'GET') {
        const states = u.searchParams.get('state')?.split(',');
        const limit = Number(u.searchParams.get('limit') ?? 100);
        const offset = Number(u.searchParams.get('offset') ?? 0);
        const all = [...jobs.values()].filter(
          (j) =>
            (!states || states.includes(j.state)) &&
            (!u.searchParams.get('account') || u.searchParams.get('account') === j.account) &&
            (!u.searchParams.get('owner') || u.searchParams.get('owner') === j.owner),
        );
        return send(res, 200, { jobs: all.slice(offset, offset + limit), total: all.length, limit, offset });
      }
      if (kind === 'jobs' && id !== undefined) {
        const job = jobs.get(id) ?? [...jobs.values()].find((j) => String(j.id) === id);
        if (!job) return problem(res, 404, 'UNKNOWN_JOB', `no job ${id}`);
        if (req.method === 'GET') return send(res, 200, job);
        if (req.method === 'PATCH') {
          const changes = body as Partial<Pick<JobView, 'dependencies' | 'nice'>>;
          if (changes.dependencies) job.dependencies = changes.dependencies;
          if (changes.nice !== undefined) job.nice = changes.nice;
          return send(res, 200, { jobId: job.id, applied: 1, jobs: [job] });
        }
        if (req.method === 'DELETE' && !id.includes('_') && job.arrayJobId === job.id) {
          // An array's own id: every active element, in one step (as the scheduler does).
          const active = [...jobs.values()].filter((j) => j.arrayJobId === job.id && (j.state === 'PENDING' || j.state === 'RUNNING'));
          if (active.length === 0) return problem(res, 409, 'INVALID_STATE', `array job ${id} has no element pending or running`);
          for (const j of active) j.state = 'CANCELLED' satisfies JobState;
          return send(res, 200, { jobId: job.id, state: 'CANCELLED', elements: active.length });
        }
        if (req.method === 'DELETE') {
          if (job.state !== 'PENDING' && job.state !== 'RUNNING') return problem(res, 409, 'INVALID_STATE', `job ${id} is already ${job.state}`);
          job.state = 'CANCELLED' satisfies JobState;
          return send(res, 200, { jobId: job.id, state: job.state });
        }
      }
      if (kind === 'nodes' && id === undefined) return send(res, 200, { nodes, reasons: [] });
      if (kind === 'nodes' && id !== undefined && req.method === 'POST') {
        const node = nodes.find((n) => n.name === id);
        if (!node) return problem(res, 404, 'UNKNOWN_NODE', `no node ${id}`);
        if (verb === 'drain') node.state = node.tasks > 0 ? 'DRAINING' : 'DRAINED';
        else if (verb === 'resume') node.state = node.tasks > 0 ? 'MIXED' : 'IDLE';
        return send(res, 200, node);
      }
      return problem(res, 404, 'NOT_FOUND', `no route ${req.method} ${u.pathname}`);
    })().catch((err: unknown) => problem(res, 500, 'INTERNAL', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    jobs,
    nodes,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
