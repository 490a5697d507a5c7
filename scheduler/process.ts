// Assembles the scheduler process: state folder, core (replayed from the journal), driver,
// agent hub on gRPC, HTTP API; and takes it apart again in order.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { serverCredentials, tlsEnabled } from '../proto/index.js';
import { AgentHub } from './agents/index.js';
import { SchedulerMetrics, buildApi } from './api/index.js';
import { loadClusterConfig } from '../common/index.js';
import { LiveDriver, combineObservers, type CoreFactory, makeCore } from './driver/index.js';
import { EventBus, LiveState } from './events/index.js';
import type { SchedulerFlags } from './process-options.js';
import { Security } from './security/index.js';
import { StateDirError, Store, ensureToken, lockStateDir } from './store/index.js';

export class PortInUseError extends Error {
  constructor(what: string, host: string, port: number) {
    super(`${what} port ${port} on ${host} is already in use (choose another with --${what}-port)`);
    this.name = 'PortInUseError';
  }
}

export interface RunningScheduler {
  httpUrl: string;
  grpcAddress: string;
  driver: LiveDriver;
  hub: AgentHub;
  metrics: SchedulerMetrics;
  stop(): Promise<void>;
}

export async function startScheduler(flags: SchedulerFlags, log: Logger, coreFactory: CoreFactory = makeCore): Promise<RunningScheduler> {
  const config = loadClusterConfig(flags.clusterPath);
  try {
    mkdirSync(flags.stateDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new StateDirError(flags.stateDir, (err as Error).message);
  }
  const unlock = lockStateDir(flags.stateDir);
  let store: Store;
  try {
    store = new Store(flags.stateDir);
  } catch (err) {
    unlock();
    throw err;
  }
  let security: Security;
  try {
    security = Security.open(flags.stateDir, store.auditTarget());
    // First start: an admin token, kept hashed; in clear only in <state>/api-token (600).
    security.bootstrap();
  } catch (err) {
    await store.close();
    unlock();
    throw err;
  }
  const joinToken = ensureToken(join(flags.stateDir, 'join-token'));
  const metrics = new SchedulerMetrics();
  const events = new EventBus();
  const core = coreFactory(config);
  const live = new LiveState(() => core, events);
  const driver = new LiveDriver({
    core,
    store,
    log: log.child({ part: 'driver' }),
    timeScale: flags.timeScale,
    forgetAfterMs: flags.forgetAfterMs,
    observer: combineObservers(metrics.observer(), live),
    // The driver's entries (dispatches, consent holds) answer no request: nobody waits for them,
    // but one that fails stops the scheduler (the driver's fatal handler), as the API's fail closed.
    audit: (entry) => security.audit.append(entry, undefined, undefined, true),
    coreFor: coreFactory,
    snapshotEveryRecords: flags.snapshotEveryRecords,
    snapshotEveryMs: flags.snapshotEveryMs,
    ...(flags.dispatchWindow === undefined ? {} : { dispatchWindow: flags.dispatchWindow }),
    retentionMs: flags.retentionMs ?? 0,
    ...(flags.retentionExport === undefined ? {} : { retentionExport: flags.retentionExport }),
  });
  live.init();
  // The config in force is the core's: the state folder's own when the file changed since.
  const hub = new AgentHub(driver, driver.core.config, {
    joinToken,
    heartbeatIntervalMs: flags.heartbeatIntervalMs,
    heartbeatTimeoutMs: flags.heartbeatTimeoutMs,
    startupGraceMs: flags.startupGraceMs,
    timeScale: flags.timeScale,
    log: log.child({ part: 'agents' }),
    onHeartbeat: (agent) => metrics.heartbeat(agent),
  });
  metrics.watch(driver, hub, live);

  /** Undoes what was opened so far when the start fails (the state folder's lock last). */
  const closeParts = async (): Promise<void> => {
    hub.close();
    metrics.close();
    await driver.close();
    await security.close(); // its audit entries go through the store's group commit
    await store.close();
    unlock();
  };

  const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  hub.register(grpcServer);
  const grpcPort = await new Promise<number>((resolve, reject) => {
    grpcServer.bindAsync(`${flags.host}:${flags.grpcPort}`, serverCredentials(flags.tls), (err, port) => {
      if (err) reject(/in use|EADDRINUSE|No address added/i.test(err.message) ? new PortInUseError('grpc', flags.host, flags.grpcPort) : err);
      else resolve(port);
    });
  }).catch(async (err: unknown) => {
    await closeParts();
    throw err;
  });

  const https = tlsEnabled(flags.tls) && flags.tls.cert !== undefined && flags.tls.key !== undefined
    ? { cert: readFileSync(flags.tls.cert), key: readFileSync(flags.tls.key) }
    : null;
  const app = buildApi({
    driver,
    hub,
    metrics,
    security,
    log: log.child({ part: 'http' }),
    rateLimit: flags.rateLimit,
    ...(https ? { https } : {}),
    events,
    reloadConfig: () => loadClusterConfig(flags.clusterPath),
  });
  let httpUrl: string;
  try {
    await app.listen({ host: flags.host, port: flags.httpPort });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : flags.httpPort;
    const h = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
    httpUrl = `${https ? 'https' : 'http'}://${h}:${port}`;
  } catch (err) {
    grpcServer.forceShutdown();
    await closeParts();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError('http', flags.host, flags.httpPort);
    throw err;
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      hub.close();
      metrics.close();
      await app.close();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          grpcServer.forceShutdown();
          resolve();
        }, 1000);
        grpcServer.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await driver.close();
      await security.close(); // its audit entries go through the store's group commit
      await store.close();
      unlock();
    })();
    return stopping;
  };
  return { httpUrl, grpcAddress: `${flags.host}:${grpcPort}`, driver, hub, metrics, stop };
}
