// Property-based fuzzing of every gRPC message the scheduler receives (hello, heartbeat, ack,
// completions), over real gRPC on loopback: random, out-of-range and unexpected field values in
// random orders, streams with wrong tokens, and raw bytes that are not protobuf at all. The
// scheduler must answer or end each stream (never hang), never crash, and still welcome a
// well-behaved agent afterwards.
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOIN_TOKEN_METADATA, openAgentStream, type AgentMessage, type SchedulerMessage } from '../../proto/index.js';
import { loadClusterConfig } from '../../common/index.js';
import type { LiveDriver } from '../driver/index.js';
import { closeHubStack, openHubStack, SMALL_CLUSTER, type HubStack } from '../testing/index.js';

const RUNS = Number(process.env.GSCHED_FUZZ_RUNS ?? 60);
const TOKEN = 'join-token-for-fuzzing-0123';
const config = loadClusterConfig(SMALL_CLUSTER());
let st: HubStack;
let driver: LiveDriver;
let client: grpc.Client;
let cases = 0;
let messages = 0;

beforeAll(async () => {
  st = await openHubStack({ joinToken: TOKEN, maxReceiveBytes: 1024 * 1024 });
  ({ driver, client } = st);
  // Work for the fuzzed agents to claim they ran.
  await driver.submit({ name: 'fuzz', owner: 'fuzz', account: 'rh-genetics', partition: 'clinical', qos: 'normal', purpose: 'treatment', pseudonyms: [], tasks: [{ cores: 1, memMb: 100 }, { cores: 1, memMb: 100 }] });
});

afterAll(async () => {
  await closeHubStack(st);
  process.stdout.write(`gRPC fuzz: ${cases} streams, ${messages} messages\n`);
});

const NODES = config.nodes.map((n) => n.name);
const str = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', 'c1', 'c1-n001', 'x'.repeat(10_000), '\u0000', '010203-1234'));
const u32 = fc.oneof(fc.nat({ max: 10 }), fc.constant(0xffffffff), fc.nat());
const u64 = fc.oneof(fc.nat({ max: 10 }), fc.constant(Number.MAX_SAFE_INTEGER), fc.nat());
const ref = fc.record({ taskId: u64, attempt: u32 });
const outcome = fc.constantFrom('OUTCOME_UNSPECIFIED', 'OUTCOME_COMPLETED', 'OUTCOME_FAILED', 'OUTCOME_CANCELLED');
const completion = fc.record({ task: ref, outcome, cpuMs: u64, wallMs: u64, kernel: str, summaryJson: fc.oneof(str, fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v))), error: str }, { requiredKeys: [] });
const nodeName = fc.oneof(fc.constantFrom(...NODES), str);
const hello = fc.record(
  {
    agent: str,
    container: fc.oneof(fc.constantFrom('c1', 'c2', 'c3'), str),
    nodes: fc.array(fc.record({ name: nodeName, cores: u32, memMb: u64 }), { maxLength: 4 }),
    running: fc.array(ref, { maxLength: 3 }),
    finished: fc.array(completion, { maxLength: 3 }),
    version: str,
  },
  { requiredKeys: [] },
);
const ack = fc.record({ accepted: fc.array(ref, { maxLength: 3 }), refused: fc.array(fc.record({ task: ref, reason: str }, { requiredKeys: [] }), { maxLength: 3 }) }, { requiredKeys: [] });
const message: fc.Arbitrary<AgentMessage> = fc.oneof(
  hello.map((h) => ({ hello: h }) as AgentMessage),
  fc.record({ seq: u64, running: u32 }, { requiredKeys: [] }).map((h) => ({ heartbeat: h }) as AgentMessage),
  ack.map((a) => ({ ack: a }) as AgentMessage),
  fc.record({ items: fc.array(completion, { maxLength: 4 }), ack }, { requiredKeys: ['items'] }).map((c) => ({ completions: c }) as AgentMessage),
  fc.constant({} as AgentMessage),
);

/** Resolves once the server has ended or failed the stream; rejects if it does neither in time. */
function settled(s: NodeJS.EventEmitter, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the scheduler neither answered nor ended the stream (hang)')), ms);
    s.on('data', () => undefined);
    s.on('error', (e: grpc.ServiceError) => (clearTimeout(t), resolve(`error ${e.code}`)));
    s.on('end', () => (clearTimeout(t), resolve('end')));
  });
}

describe('gRPC fuzzing', () => {
  it('ends or answers every stream of random messages, wrong tokens included, and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(TOKEN, TOKEN, TOKEN, 'wrong-token', ''), fc.array(message, { minLength: 1, maxLength: 5 }), async (token, msgs) => {
        cases++;
        const md = new grpc.Metadata();
        if (token !== '') md.set(JOIN_TOKEN_METADATA, `Bearer ${token}`);
        const s = openAgentStream(client, md);
        const done = settled(s);
        for (const m of msgs) {
          messages++;
          try {
            s.write(m);
          } catch {
            // the client could not encode it (a value out of the type's range): not sent
          }
        }
        s.end();
        await done;
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('ends a stream of raw bytes that are not a protobuf message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 2048 }), { minLength: 1, maxLength: 3 }), async (chunks) => {
        cases++;
        const md = new grpc.Metadata();
        md.set(JOIN_TOKEN_METADATA, `Bearer ${TOKEN}`);
        const s = client.makeBidiStreamRequest('/gsched.agent.v1.AgentService/Connect', (b: Buffer) => b, (b: Buffer) => b, md);
        const done = settled(s);
        for (const c of chunks) {
          messages++;
          s.write(Buffer.from(c));
        }
        s.end();
        await done;
      }),
      { numRuns: RUNS },
    );
  });

  it('still welcomes a well-behaved agent', async () => {
    const md = new grpc.Metadata();
    md.set(JOIN_TOKEN_METADATA, `Bearer ${TOKEN}`);
    const s = openAgentStream(client, md);
    s.on('error', () => undefined); // cancelled when the client closes at the end
    const first = new Promise<SchedulerMessage>((res) => s.once('data', res));
    s.write({ hello: { agent: 'after-fuzz', container: 'c3', nodes: [{ name: 'c3-n002', cores: 8, memMb: 32768 }], running: [], finished: [], version: 'test' } });
    expect((await first).payload).toBe('welcome');
    s.end();
  });
});
