// The stack an agent-hub test talks gRPC to: the core behind a LiveDriver, the hub on a
// loopback gRPC server (port 0), and a raw client of the agent protocol to open streams with;
// all in one temp folder, closed in the order that lets each part go after what uses it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { loadClusterConfig, type Clock } from '../../common/index.js';
import { loadAgentProtocol } from '../../proto/index.js';
import { AgentHub } from '../agents/index.js';
import type { ClusterConfig } from '../core/index.js';
import { LiveDriver, makeCore } from '../driver/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER } from './live-cluster.js';

export interface HubStack {
  dir: string;
  config: ClusterConfig;
  driver: LiveDriver;
  hub: AgentHub;
  server: grpc.Server;
  client: grpc.Client;
}

export interface HubStackOptions {
  joinToken: string;
  /** A fake clock for the driver and the hub (the system clock when absent). */
  clock?: Clock;
  onHeartbeat?: (agent: string) => void;
  /** The server's largest accepted message (grpc-js's default when absent). */
  maxReceiveBytes?: number;
}

/** Opens the stack on the small test cluster: heartbeats every 1 s, a 5 s timeout and start-up grace. */
export async function openHubStack(o: HubStackOptions): Promise<HubStack> {
  const dir = mkdtempSync(join(tmpdir(), 'gsched-hub-'));
  const config = loadClusterConfig(SMALL_CLUSTER());
  const log = pino({ level: 'silent' });
  const clock = o.clock === undefined ? {} : { clock: o.clock };
  const driver = new LiveDriver({ core: makeCore(config), store: new Store(dir), log, timeScale: 1, forgetAfterMs: 60_000, ...clock });
  const hub = new AgentHub(driver, config, {
    joinToken: o.joinToken,
    heartbeatIntervalMs: 1000,
    heartbeatTimeoutMs: 5000,
    startupGraceMs: 5000,
    timeScale: 1,
    log,
    ...clock,
    ...(o.onHeartbeat === undefined ? {} : { onHeartbeat: o.onHeartbeat }),
  });
  const server = new grpc.Server(o.maxReceiveBytes === undefined ? {} : { 'grpc.max_receive_message_length': o.maxReceiveBytes });
  hub.register(server);
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  const { Client } = loadAgentProtocol();
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return { dir, config, driver, hub, server, client };
}

export async function closeHubStack(st: HubStack): Promise<void> {
  st.client.close();
  st.hub.close();
  st.server.forceShutdown();
  await st.driver.close();
  await st.driver.store.close();
  rmSync(st.dir, { recursive: true, force: true });
}
