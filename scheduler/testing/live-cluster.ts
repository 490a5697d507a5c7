// Test helper: a real scheduler process and real agent processes on loopback, with a small
// cluster (3 containers × 2 nodes × 8 cores), a temp state folder and ephemeral ports.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot, launchAgent, launchScheduler, type Child } from '../../common/index.js';
import { requestJson } from './http.js';

export const SMALL_CLUSTER = (): string => join(packageRoot(), 'scheduler', 'testing', 'cluster.small.json');

export interface LiveClusterOptions {
  timeScale?: number;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  forgetAfterMs?: number;
  /** More scheduler flags (e.g. TLS). */
  schedulerArgs?: string[];
  /** Cluster file for the scheduler and the agents (default SMALL_CLUSTER). */
  cluster?: string;
}

export class LiveCluster {
  readonly state = mkdtempSync(join(tmpdir(), 'gsched-live-'));
  scheduler: Child | null = null;
  httpUrl = '';
  grpcAddress = '';
  readonly agents = new Map<string, Child>();
  /** The admin token the scheduler wrote to <state>/api-token on first start. */
  token = '';

  constructor(private readonly o: LiveClusterOptions = {}) {}

  async startScheduler(): Promise<void> {
    const grpcPort = this.grpcAddress === '' ? '0' : (this.grpcAddress.split(':').pop() ?? '0');
    const s = await launchScheduler([
      '--http-port', '0',
      '--grpc-port', grpcPort,
      '--state', this.state,
      '--cluster', this.o.cluster ?? SMALL_CLUSTER(),
      '--time-scale', String(this.o.timeScale ?? 0.001),
      '--heartbeat-interval-ms', String(this.o.heartbeatIntervalMs ?? 100),
      '--heartbeat-timeout-ms', String(this.o.heartbeatTimeoutMs ?? 800),
      '--forget-after-ms', String(this.o.forgetAfterMs ?? 60_000),
      '--startup-grace-ms', '5000',
      '--log-level', 'warn',
      ...(this.o.schedulerArgs ?? []),
    ]);
    this.scheduler = s.child;
    this.httpUrl = s.httpUrl;
    this.grpcAddress = s.grpcAddress;
    this.token = readFileSync(join(this.state, 'api-token'), 'utf8').trim();
  }

  async startAgent(container: string, extra: string[] = []): Promise<Child> {
    const a = await launchAgent([
      '--scheduler', this.grpcAddress,
      '--container', container,
      '--cluster', this.o.cluster ?? SMALL_CLUSTER(),
      '--join-token-file', join(this.state, 'join-token'),
      '--threads', '1',
      '--backoff-max-ms', '300',
      '--kernel-scale', '0.01',
      '--log-level', 'warn',
      ...extra,
    ]);
    this.agents.set(container, a);
    return a;
  }

  /** A request as admin (or with `token`); an https scheduler is trusted through its --tls-ca. */
  async api<T = unknown>(method: string, path: string, body?: unknown, token: string = this.token): Promise<{ status: number; body: T; type: string; headers: Record<string, string | string[] | undefined> }> {
    const caAt = this.o.schedulerArgs?.indexOf('--tls-ca') ?? -1;
    const caPath = caAt >= 0 ? this.o.schedulerArgs?.[caAt + 1] : undefined;
    return requestJson<T>(`${this.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ca: caPath === undefined ? null : readFileSync(caPath),
    });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.stop(2000)));
    this.agents.clear();
    await this.scheduler?.stop(2000);
    this.scheduler = null;
    rmSync(this.state, { recursive: true, force: true });
  }
}

/** Polls `probe` until it returns a value other than undefined/false. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A job spec for the small test cluster. */
export function testJob(tasks: { cores?: number; durationMs?: number; memMb?: number }[], over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'test',
    owner: 'tester',
    account: 'rh-genetics',
    partition: 'clinical',
    qos: 'normal',
    purpose: 'treatment',
    pseudonyms: [],
    tasks: tasks.map((t) => ({ cores: t.cores ?? 2, memMb: t.memMb ?? 1024, ...(t.durationMs === undefined ? {} : { durationMs: t.durationMs }) })),
    ...over,
  };
}
