// The hand-written message types match what the run-time loaded codec produces: every field
// of every message survives a round trip with the shape messages.ts declares.
import { describe, expect, it } from 'vitest';
import { loadAgentProtocol, type AgentMessage, type SchedulerMessage } from './index.js';

const codec = () => {
  const m = loadAgentProtocol().service.Connect;
  if (!m) throw new Error('Connect missing');
  return m;
};

const ref = { taskId: 2 ** 40 + 7, attempt: 3 };
const completion = { task: ref, outcome: 'OUTCOME_FAILED' as const, cpuMs: 12, wallMs: 40, kernel: 'noop', summaryJson: '{"a":1}', error: 'boom', exitCode: 3, signal: '' };

const agentMessages: AgentMessage[] = [
  { payload: 'hello', hello: { agent: 'agent-c1', container: 'c1', nodes: [{ name: 'c1-n001', cores: 64, memMb: 262144 }], running: [ref], finished: [completion], version: '0.1.0' } },
  { payload: 'heartbeat', heartbeat: { seq: 9, running: 4 } },
  { payload: 'ack', ack: { accepted: [ref], refused: [{ task: { taskId: 1, attempt: 1 }, reason: 'busy' }] } },
  // Decoded, an absent ack is null (defaults: true): written so, the round trip compares equal.
  { payload: 'completions', completions: { items: [completion, { ...completion, outcome: 'OUTCOME_COMPLETED', error: '' }], ack: null } },
  { payload: 'completions', completions: { items: [completion], ack: { accepted: [ref], refused: [{ task: { taskId: 1, attempt: 2 }, reason: 'busy' }] } } },
  { payload: 'power', power: { node: 'c1-n001', state: 'NODE_POWER_SUSPENDED' } },
];

const schedulerMessages: SchedulerMessage[] = [
  { payload: 'welcome', welcome: { heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, timeScale: 0.001, cancel: [ref], features: ['completions-ack'], version: '0.1.0' } },
  { payload: 'assign', assign: { tasks: [{ task: ref, jobId: 5, node: 'c1-n001', cores: 8, memMb: 1024, timeLimitMs: 3_600_000, durationMs: 60_000, kernel: 'align', displayId: '5_2', exec: null, lateMs: 2.75 }] } },
  {
    payload: 'assign',
    assign: {
      tasks: [{
        task: ref, jobId: 6, node: 'c1-n001', cores: 2, memMb: 512, timeLimitMs: 60_000, durationMs: 0, kernel: 'exec', displayId: '6', lateMs: 0,
        exec: { script: '#!/bin/sh\necho hi\n', chdir: '/tmp', output: 'out-%j.txt', error: '', env: { GSCHED_JOB_ID: '6' }, append: false },
      }],
    },
  },
  { payload: 'cancel', cancel: { tasks: [ref], reason: 'timeout', graceMs: 0 } },
  { payload: 'signal', signal: { tasks: [ref], signal: 'SIGUSR1' } },
  { payload: 'drain', drain: { node: 'c1-n001', drained: true } },
  { payload: 'completionAck', completionAck: { tasks: [ref] } },
  { payload: 'power', power: { node: 'c1-n001', suspend: false, resumeDelayMs: 300_000 } },
];

describe('agent.proto codec', () => {
  it.each(agentMessages.map((m) => [m.payload, m] as const))('round-trips agent message %s', (_name, msg) => {
    const c = codec();
    expect(c.requestDeserialize(c.requestSerialize(msg))).toEqual(msg);
  });

  it.each(schedulerMessages.map((m) => [m.payload, m] as const))('round-trips scheduler message %s', (_name, msg) => {
    const c = codec();
    expect(c.responseDeserialize(c.responseSerialize(msg))).toEqual(msg);
  });

  it('fills defaults for absent fields, as the types promise', () => {
    const c = codec();
    const m = c.requestDeserialize(c.requestSerialize({ hello: { agent: 'a' } })) as AgentMessage;
    expect(m).toEqual({ payload: 'hello', hello: { agent: 'a', container: '', nodes: [], running: [], finished: [], version: '' } });
  });

  it("reads an older scheduler's welcome (no features, no version) as listing none", () => {
    const c = codec();
    const m = c.responseDeserialize(c.responseSerialize({ welcome: { heartbeatIntervalMs: 1000 } })) as SchedulerMessage;
    expect(m).toEqual({ payload: 'welcome', welcome: { heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 0, timeScale: 0, cancel: [], features: [], version: '' } });
  });
});
