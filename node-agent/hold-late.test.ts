// An assignment's `lateMs` (PROTOCOL.md section 10): the agent holds a task's cores from the
// scheduler's start decision, so it deducts the wall time the assignment waited before it was
// sent. A real NodeAgent against a minimal scheduler side over real gRPC on loopback.
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentProtocol, type AgentMessage, type Assignment, type Completion, type SchedulerSideStream } from '../proto/index.js';
import { NodeAgent } from './agent.js';
import { createKernelPool } from './pool.js';

let server: grpc.Server;
let agent: NodeAgent;
let toAgent: SchedulerSideStream | null = null;
const completions: Completion[] = [];
let connected: () => void = () => undefined;
const welcomed = new Promise<void>((res) => (connected = res));

beforeAll(async () => {
  server = new grpc.Server();
  server.addService(loadAgentProtocol().service, {
    Connect: (call: SchedulerSideStream) => {
      call.on('data', (m: AgentMessage) => {
        if (m.payload === 'hello') {
          toAgent = call;
          call.write({ welcome: { heartbeatIntervalMs: 60_000, heartbeatTimeoutMs: 120_000, timeScale: 1, cancel: [] } });
          connected();
        }
        if (m.payload === 'completions' && 'completions' in m) completions.push(...m.completions.items);
      });
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  agent = new NodeAgent({
    scheduler: `127.0.0.1:${port}`,
    name: 'agent-late',
    container: 'c1',
    nodes: [{ name: 'c1-n001', cores: 8, memMb: 32_768 }],
    joinToken: 'join-token-for-tests-0123',
    timeScale: null,
    defaultDurationMs: 1000,
    tls: {},
    pool: createKernelPool({ mode: 'noop' }),
    exec: null,
    log: pino({ level: 'silent' }),
  });
  agent.start();
  await welcomed;
});

afterAll(async () => {
  await agent.shutdown();
  server.forceShutdown();
});

const task = (taskId: number, durationMs: number, lateMs?: number): Assignment => ({
  task: { taskId, attempt: 1 },
  jobId: taskId,
  node: 'c1-n001',
  cores: 1,
  memMb: 1,
  timeLimitMs: 0,
  durationMs,
  kernel: 'noop',
  displayId: String(taskId),
  exec: null,
  ...(lateMs === undefined ? {} : { lateMs }),
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 20_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('NodeAgent holds from the start decision', () => {
  it('deducts lateMs from the hold, not below zero, and holds in full without it', async () => {
    // Time scale 1: task 1 holds 10 minutes; task 2 waited 9 min 59.9 s before it was sent; task
    // 3 waited longer than its whole run. Tasks 2 and 3 complete at once, task 1 is still held.
    toAgent?.write({ assign: { tasks: [task(1, 600_000), task(2, 600_000, 599_900), task(3, 60_000, 120_000)] } });
    await until(() => completions.length >= 2, 'the late tasks to complete');
    await new Promise((r) => setTimeout(r, 300));
    expect(completions.map((c) => c.task.taskId).sort()).toEqual([2, 3]);
    expect(completions.every((c) => c.outcome === 'OUTCOME_COMPLETED')).toBe(true);
    // Task 2's wall: at least the 100 ms left of its hold.
    expect(completions.find((c) => c.task.taskId === 2)?.wallMs).toBeGreaterThanOrEqual(95);
    expect(agent.runningCount).toBe(1);
  });
});
