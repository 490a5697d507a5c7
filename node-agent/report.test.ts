// The agent's reports (PROTOCOL.md section 6): a lone acknowledgement goes at once, and within
// the report gap the acknowledgements of later assignments ride with the completions. A real
// NodeAgent against a minimal scheduler side over real gRPC on loopback.
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentProtocol, type AgentMessage, type Assignment, type SchedulerSideStream } from '../proto/index.js';
import { NodeAgent } from './agent.js';
import { createKernelPool } from './pool.js';

/** Wide enough that the test's next assignment always lands inside it. */
const GAP_MS = 1500;

let server: grpc.Server;
let agent: NodeAgent;
let toAgent: SchedulerSideStream | null = null;
/** What the agent sent after its hello, in order. */
const sent: AgentMessage[] = [];
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
        } else if (m.payload !== 'heartbeat') sent.push(m);
      });
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  agent = new NodeAgent({
    scheduler: `127.0.0.1:${port}`,
    name: 'agent-report',
    container: 'c1',
    nodes: [{ name: 'c1-n001', cores: 8, memMb: 32_768 }],
    joinToken: 'join-token-for-tests-0123',
    timeScale: null,
    defaultDurationMs: 1000,
    tls: {},
    pool: createKernelPool({ mode: 'noop' }),
    exec: null,
    log: pino({ level: 'silent' }),
    reportGapMs: GAP_MS,
  });
  agent.start();
  await welcomed;
});

afterAll(async () => {
  await agent.shutdown();
  server.forceShutdown();
});

const task = (taskId: number, node = 'c1-n001'): Assignment => ({
  task: { taskId, attempt: 1 },
  jobId: taskId,
  node,
  cores: 1,
  memMb: 1,
  timeLimitMs: 0,
  durationMs: 0,
  kernel: 'noop',
  displayId: String(taskId),
  exec: null,
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 20_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Each message as the task ids it acknowledges (accepted, refused) and completes. */
const shape = (m: AgentMessage): { accepted: number[]; refused: number[]; completed: number[] } => {
  const ack = m.payload === 'ack' && 'ack' in m ? m.ack : m.payload === 'completions' && 'completions' in m ? m.completions.ack : null;
  const completed = m.payload === 'completions' && 'completions' in m ? m.completions.items.map((c) => c.task.taskId) : [];
  return { accepted: ack?.accepted.map((t) => t.taskId) ?? [], refused: ack?.refused.map((r) => r.task.taskId) ?? [], completed };
};

describe('NodeAgent reports', () => {
  it('sends a lone acknowledgement at once, then the next ones with the completions', async () => {
    // Task 1 (no hold) is acknowledged alone at once; it completes right after, and its
    // completion waits out the gap. Tasks 2 and 3 (refused: a node not hosted here) arrive
    // meanwhile, and task 2 completes: one message then carries all of it.
    await new Promise((r) => setTimeout(r, GAP_MS)); // past the welcome's report
    const t0 = Date.now();
    toAgent?.write({ assign: { tasks: [task(1)] } });
    await until(() => sent.length >= 1, 'the first acknowledgement');
    const first = Date.now() - t0;
    toAgent?.write({ assign: { tasks: [task(2)] } });
    toAgent?.write({ assign: { tasks: [task(3, 'c9-n001')] } });
    await until(() => sent.length >= 2, 'the report');
    expect(sent.map(shape)).toEqual([
      { accepted: [1], refused: [], completed: [] },
      { accepted: [2], refused: [3], completed: [1, 2] },
    ]);
    expect(sent[0]?.payload).toBe('ack');
    expect(first).toBeLessThan(GAP_MS); // not held for the gap
    // And nothing else came (task 2's completion went in that report, not one of its own).
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).toHaveLength(2);
  });
});
