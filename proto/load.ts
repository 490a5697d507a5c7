// Loads agent.proto at run time (no codegen): the same file serves source and dist/ runs.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { packageRoot } from '../common/index.js';
import { ProtoLoadError } from './errors.js';
import type { AgentMessage, Assignment, Completion, SchedulerMessage, TaskRef } from './messages.js';

export const PROTO_PATH = (): string => join(packageRoot(), 'proto', 'gsched', 'agent', 'v1', 'agent.proto');

/** Options that make decoded messages match the shapes in messages.ts. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

export interface AgentProtocol {
  /** The service definition, for `server.addService`. */
  service: grpc.ServiceDefinition;
  /** Client constructor for the service. */
  Client: grpc.ServiceClientConstructor;
}

let cached: AgentProtocol | undefined;

export function loadAgentProtocol(): AgentProtocol {
  if (cached) return cached;
  const path = PROTO_PATH();
  let def: protoLoader.PackageDefinition;
  try {
    def = protoLoader.loadSync(path, LOADER_OPTIONS);
  } catch (err) {
    throw new ProtoLoadError(path, (err as Error).message);
  }
  const Client = lookup(grpc.loadPackageDefinition(def), ['gsched', 'agent', 'v1', 'AgentService']);
  warmCodecs(Client.service);
  cached = { service: Client.service, Client };
  return cached;
}

/**
 * protobufjs generates each message type's encoder and decoder on first use. Doing that here,
 * at start-up, keeps code generation off the first assignments and acknowledgements.
 */
function warmCodecs(service: grpc.ServiceDefinition): void {
  const method = service.Connect;
  if (!method) return;
  const ref: TaskRef = { taskId: 1, attempt: 1 };
  const completion: Completion = { task: ref, outcome: 'OUTCOME_COMPLETED', cpuMs: 1, wallMs: 1, kernel: 'noop', summaryJson: '{}', error: '', exitCode: 0, signal: '' };
  const up: AgentMessage[] = [
    { hello: { agent: 'a', container: 'c', nodes: [{ name: 'n', cores: 1, memMb: 1 }], running: [ref], finished: [completion], version: '' } },
    { heartbeat: { seq: 1, running: 0 } },
    { ack: { accepted: [ref], refused: [{ task: ref, reason: 'r' }] } },
    { completions: { items: [completion] } },
  ];
  const assignment: Assignment = { task: ref, jobId: 1, node: 'n', cores: 1, memMb: 1, timeLimitMs: 1, durationMs: 1, kernel: 'noop', displayId: '1', exec: null };
  const down: SchedulerMessage[] = [
    { welcome: { heartbeatIntervalMs: 1, heartbeatTimeoutMs: 1, timeScale: 1, cancel: [ref], features: ['f'], version: 'v' } },
    { assign: { tasks: [assignment] } },
    { cancel: { tasks: [ref], reason: 'r' } },
    { drain: { node: 'n', drained: true } },
    { completionAck: { tasks: [ref] } },
    { signal: { tasks: [ref], signal: 'SIGUSR1' } },
  ];
  for (const m of up) method.requestDeserialize(method.requestSerialize(m));
  for (const m of down) method.responseDeserialize(method.responseSerialize(m));
}

function lookup(root: grpc.GrpcObject, path: string[]): grpc.ServiceClientConstructor {
  let cur: unknown = root;
  for (const p of path) cur = (cur as Record<string, unknown> | undefined)?.[p];
  if (typeof cur !== 'function') throw new ProtoLoadError(PROTO_PATH(), `service ${path.join('.')} not found`);
  return cur as grpc.ServiceClientConstructor;
}

export type AgentStream = grpc.ClientDuplexStream<AgentMessage, SchedulerMessage>;
export type SchedulerSideStream = grpc.ServerDuplexStream<AgentMessage, SchedulerMessage>;

/** Opens the agent's stream on a client of the service. */
export function openAgentStream(client: grpc.Client, metadata: grpc.Metadata): AgentStream {
  const connect = (client as unknown as { Connect(md: grpc.Metadata): AgentStream }).Connect;
  return connect.call(client, metadata);
}
