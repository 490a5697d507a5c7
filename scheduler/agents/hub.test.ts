// The scheduler's side of the protocol over real gRPC on loopback (in process, real lmdb):
// refusals carry the status the rules name, and a bad message ends its stream, not the scheduler.
// The hub and the driver run on a FakeClock: heartbeat timeouts happen when the test moves it.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_COMPLETIONS_ACK, JOIN_TOKEN_METADATA, openAgentStream, type AgentMessage, type AgentStream, type SchedulerMessage } from '../../proto/index.js';
import { FakeClock, GSCHED_VERSION } from '../../common/index.js';
import type { LiveDriver } from '../driver/index.js';
import { closeHubStack, openHubStack, type HubStack } from '../testing/index.js';
import type { AgentHub } from './hub.js';

const TOKEN = 'join-token-for-tests-0123';
let st: HubStack;
let driver: LiveDriver;
let hub: AgentHub;
let client: grpc.Client;
let config: HubStack['config'];
const clock = new FakeClock();
/** Resolves the next time an agent's heartbeat reaches the hub. */
let heartbeat: (agent: string) => void = () => undefined;

beforeAll(async () => {
  st = await openHubStack({ joinToken: TOKEN, clock, onHeartbeat: (a) => heartbeat(a) });
  ({ driver, hub, client, config } = st);
});

afterAll(() => closeHubStack(st));

function stream(token = TOKEN): { s: AgentStream; first: Promise<SchedulerMessage>; ended: Promise<grpc.status | 'ok'> } {
  const md = new grpc.Metadata();
  md.set(JOIN_TOKEN_METADATA, `Bearer ${token}`);
  const s = openAgentStream(client, md);
  const first = new Promise<SchedulerMessage>((res) => s.once('data', res));
  const ended = new Promise<grpc.status | 'ok'>((res) => {
    s.on('error', (e: grpc.ServiceError) => res(e.code));
    s.on('end', () => res('ok'));
  });
  return { s, first, ended };
}

const hello = (agent: string, nodes: string[]): AgentMessage => ({
  hello: { agent, container: 'c1', nodes: nodes.map((name) => ({ name, cores: 8, memMb: 32768 })), running: [], finished: [], version: 'test' },
});

describe('AgentHub', () => {
  it('refuses a wrong join token with UNAUTHENTICATED', async () => {
    const { s, ended } = stream('not-the-token');
    s.write(hello('a1', ['c1-n001']));
    expect(await ended).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('refuses a stream that does not start with hello (FAILED_PRECONDITION)', async () => {
    const { s, ended } = stream();
    s.write({ heartbeat: { seq: 1, running: 0 } });
    expect(await ended).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('refuses nodes outside the cluster config (INVALID_ARGUMENT)', async () => {
    const { s, ended } = stream();
    s.write(hello('a1', ['c9-n001']));
    expect(await ended).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('welcomes an agent, refuses a second agent for its nodes, and survives a malformed message', async () => {
    const one = stream();
    one.s.write(hello('agent-one', ['c1-n001', 'c1-n002']));
    const welcome = await one.first;
    expect(welcome).toMatchObject({ payload: 'welcome', welcome: { heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, cancel: [], features: [FEATURE_COMPLETIONS_ACK], version: GSCHED_VERSION } });
    expect(driver.core.nodes().filter((n) => n.name.startsWith('c1-')).map((n) => n.state)).toEqual(['IDLE', 'IDLE']);

    const two = stream();
    two.s.write(hello('agent-two', ['c1-n002']));
    expect(await two.ended).toBe(grpc.status.ALREADY_EXISTS);

    // A completion without its task: that stream ends, the scheduler goes on.
    one.s.write({ completions: { items: [{ outcome: 'OUTCOME_COMPLETED' } as never] } });
    expect(await one.ended).toBe(grpc.status.INVALID_ARGUMENT);
    const three = stream();
    three.s.write(hello('agent-three', ['c2-n001']));
    expect((await three.first).payload).toBe('welcome');
    three.s.end();
  });
  it("declares a silent agent's nodes down once the heartbeat timeout has passed on the clock, and keeps a heartbeating agent's", async () => {
    const state = (node: string): string | undefined => driver.core.nodes().find((n) => n.name === node)?.state;
    const quiet = stream();
    quiet.s.write(hello('quiet', ['c3-n001']));
    const chatty = stream();
    chatty.s.write(hello('chatty', ['c3-n002']));
    await Promise.all([quiet.first, chatty.first]);
    expect([state('c3-n001'), state('c3-n002')]).toEqual(['IDLE', 'IDLE']);
    for (let seq = 1; seq <= 8; seq++) {
      const heard = new Promise<void>((res) => (heartbeat = (a) => a === 'chatty' && res()));
      chatty.s.write({ heartbeat: { seq, running: 0 } });
      await heard;
      clock.advance(1000);
      // Down at the first sweep (every 1.25 s) after 5 s of silence, not before.
      expect(state('c3-n001')).toBe(clock.now() < 6250 ? 'IDLE' : 'DOWN');
    }
    expect(state('c3-n002')).toBe('IDLE');
    expect(await quiet.ended).toBe(grpc.status.DEADLINE_EXCEEDED);
    chatty.s.end();
  });

  it('acknowledges completions recorded together in one message', async () => {
    const a = stream();
    a.s.write(hello('acker', ['c2-n002']));
    await a.first;
    const acks: number[][] = [];
    a.s.on('data', (m: SchedulerMessage) => {
      if (m.payload === 'completionAck' && 'completionAck' in m) acks.push(m.completionAck.tasks.map((t) => t.taskId));
    });
    // Three messages whose records become durable together, as in one journal group: the
    // driver's answer is held until all three were read.
    let durable!: () => void;
    const group = new Promise<void>((r) => (durable = r));
    let read = 0;
    const real = driver.agentCompletions.bind(driver);
    driver.agentCompletions = () => {
      read++;
      return group;
    };
    try {
      const done = (taskId: number): AgentMessage => ({ completions: { items: [{ task: { taskId, attempt: 1 }, outcome: 'OUTCOME_COMPLETED', cpuMs: 0, wallMs: 0, kernel: 'noop', summaryJson: '', error: '', exitCode: 0, signal: '' }] } });
      for (const id of [901, 902, 903]) a.s.write(done(id));
      for (let i = 0; i < 100 && read < 3; i++) await new Promise((r) => setTimeout(r, 10));
      durable();
      for (let i = 0; i < 100 && acks.flat().length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      driver.agentCompletions = real;
    }
    // One acknowledgement for the three (one each before).
    expect(acks).toEqual([[901, 902, 903]]);
    a.s.end();
  });

  it('applies an acknowledgement sent with completions before them, and one sent with none', async () => {
    const a = stream();
    a.s.write(hello('reporter', ['c1-n002']));
    await a.first;
    const calls: string[] = [];
    const realAck = driver.agentAck.bind(driver);
    const realDone = driver.agentCompletions.bind(driver);
    driver.agentAck = (accepted, refused) => void calls.push(`ack ${accepted.map((t) => t.taskId).join(',')} / ${refused.map((t) => t.taskId).join(',')}`);
    driver.agentCompletions = (items) => {
      calls.push(`done ${items.map((c) => c.task.taskId).join(',')}`);
      return Promise.resolve();
    };
    try {
      const ref = (taskId: number) => ({ taskId, attempt: 1 });
      const item = { task: ref(911), outcome: 'OUTCOME_COMPLETED' as const, cpuMs: 0, wallMs: 0, kernel: 'noop', summaryJson: '', error: '', exitCode: 0, signal: '' };
      a.s.write({ completions: { items: [item], ack: { accepted: [ref(912)], refused: [{ task: ref(913), reason: 'not here' }] } } });
      a.s.write({ completions: { items: [], ack: { accepted: [ref(914)], refused: [] } } });
      for (let i = 0; i < 100 && calls.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      driver.agentAck = realAck;
      driver.agentCompletions = realDone;
    }
    expect(calls).toEqual(['ack 912 / 913', 'done 911', 'ack 914 / ']);
    a.s.end();
  });
});
