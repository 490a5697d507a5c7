// The live stack an API test builds on: the core behind a LiveDriver, an agent hub with no
// agents, the security store and the metrics, all in one temp folder; and their teardown in the
// one order that lets each part close after what uses it.
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadClusterConfig } from '../../common/index.js';
import { AgentHub } from '../agents/index.js';
import { LiveDriver, makeCore } from '../driver/index.js';
import { Security } from '../security/index.js';
import { Store } from '../store/index.js';
import { SMALL_CLUSTER } from './live-cluster.js';
import { SchedulerMetrics } from '../api/index.js';

export interface ApiStack {
  dir: string;
  driver: LiveDriver;
  hub: AgentHub;
  security: Security;
  metrics: SchedulerMetrics;
}

/** Opens the stack in `dir`; the metrics observe the driver unless `observe` is false. */
export function openApiStack(dir: string, opts: { observe?: boolean } = {}): ApiStack {
  const config = loadClusterConfig(SMALL_CLUSTER());
  const log = pino({ level: 'silent' });
  const metrics = new SchedulerMetrics();
  const observer = opts.observe === false ? {} : { observer: metrics.observer() };
  const store = new Store(dir);
  const driver = new LiveDriver({ core: makeCore(config), store, log, timeScale: 1, forgetAfterMs: 60_000, ...observer });
  const hub = new AgentHub(driver, config, { joinToken: 'j'.repeat(20), heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, startupGraceMs: 5000, timeScale: 1, log });
  return { dir, driver, hub, metrics, security: Security.open(dir, store.auditTarget()) };
}

/** Closes the app, then the stack, and removes its folder. */
export async function closeApiStack(app: FastifyInstance, stack: ApiStack): Promise<void> {
  await app.close();
  stack.hub.close();
  await stack.driver.close();
  await stack.security.close(); // its audit entries go through the store's group commit
  await stack.driver.store.close();
  rmSync(stack.dir, { recursive: true, force: true });
}
