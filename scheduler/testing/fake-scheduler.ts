// A minimal scheduler side of the agent protocol over real gRPC on loopback, for tests of a real
// NodeAgent: it welcomes the agent's hello and hands every later message to the test.
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { NodeAgent, createKernelPool, type AgentOptions } from '../../node-agent/index.js';
import { FEATURE_COMPLETIONS_ACK, loadAgentProtocol, type AgentMessage, type Assignment, type SchedulerMessage, type SchedulerSideStream, type Welcome } from '../../proto/index.js';

export interface FakeScheduler {
  /** The agent, started; registered once `welcomed` resolves. */
  agent: NodeAgent;
  welcomed: Promise<void>;
  /** Writes to the agent's stream (after the welcome). */
  send(msg: SchedulerMessage): void;
  close(): Promise<void>;
}

/**
 * Serves the protocol on a free loopback port and starts an agent against it: one 8-core node
 * `c1-n001`, noop kernels, time scale from the welcome (1), `options` over those defaults.
 * `onMessage` gets every message after the hello (heartbeats included). The welcome is this
 * version's (its features listed), `welcome` over it (`features: []`: an older scheduler).
 */
export async function openFakeScheduler(onMessage: (m: AgentMessage) => void, options: Partial<AgentOptions> = {}, welcome: Partial<Welcome> = {}): Promise<FakeScheduler> {
  const server = new grpc.Server();
  let toAgent: SchedulerSideStream | null = null;
  let connected: () => void = () => undefined;
  const welcomed = new Promise<void>((res) => (connected = res));
  server.addService(loadAgentProtocol().service, {
    Connect: (call: SchedulerSideStream) => {
      call.on('data', (m: AgentMessage) => {
        if (m.payload !== 'hello') return onMessage(m);
        toAgent = call;
        call.write({ welcome: { heartbeatIntervalMs: 60_000, heartbeatTimeoutMs: 120_000, timeScale: 1, cancel: [], features: [FEATURE_COMPLETIONS_ACK], version: 'test', ...welcome } });
        connected();
      });
      call.on('error', () => undefined);
    },
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const agent = new NodeAgent({
    scheduler: `127.0.0.1:${port}`,
    name: 'agent-test',
    container: 'c1',
    nodes: [{ name: 'c1-n001', cores: 8, memMb: 32_768 }],
    joinToken: 'join-token-for-tests-0123',
    timeScale: null,
    defaultDurationMs: 1000,
    tls: {},
    pool: createKernelPool({ mode: 'noop' }),
    exec: null,
    log: pino({ level: 'silent' }),
    ...options,
  });
  agent.start();
  return {
    agent,
    welcomed,
    send: (msg) => toAgent?.write(msg),
    close: async () => {
      await agent.shutdown();
      server.forceShutdown();
    },
  };
}

/** A noop assignment of one core on `c1-n001`, attempt 1, no hold unless `over` says so. */
export function testAssignment(taskId: number, over: Partial<Assignment> = {}): Assignment {
  return { task: { taskId, attempt: 1 }, jobId: taskId, node: 'c1-n001', cores: 1, memMb: 1, timeLimitMs: 0, durationMs: 0, kernel: 'noop', displayId: String(taskId), exec: null, ...over };
}
