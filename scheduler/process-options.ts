// Command-line flags of the scheduler process.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopback } from '../common/index.js';
import { TLS_ARG_OPTIONS, tlsEnabled, tlsFilesFrom, type TlsFiles } from '../proto/index.js';

export interface SchedulerFlags {
  host: string;
  httpPort: number;
  grpcPort: number;
  stateDir: string;
  clusterPath: string | undefined;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  startupGraceMs: number;
  timeScale: number;
  forgetAfterMs: number;
  snapshotEveryRecords: number;
  snapshotEveryMs: number;
  /** Assignments sent to agents and not yet acknowledged before a pass waits (DriverOptions.dispatchWindow; absent: its default). */
  dispatchWindow?: number;
  logLevel: string;
  tls: TlsFiles;
  /** Serve a non-loopback address without TLS (refused unless asked for). */
  insecure: boolean;
  /** Requests per second per API token, and the burst above it. */
  rateLimit: { perSecond: number; burst: number };
  /** Job records older than this (scheduler clock ms) are exported and removed; 0 keeps all. */
  retentionMs?: number;
  retentionExport?: string | undefined;
}

export class SchedulerFlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchedulerFlagError';
  }
}

export const SCHEDULER_USAGE = `usage: scheduler [--host 127.0.0.1] [--http-port 8470] [--grpc-port 8471] [--state ./var] [--cluster FILE]
  [--heartbeat-interval-ms 1000] [--heartbeat-timeout-ms 5000] [--startup-grace-ms 10000] [--time-scale 1] [--forget-after-ms 10000]
  [--snapshot-every-records 100000] [--snapshot-every-ms 60000] [--dispatch-window 100] [--retention-ms 0] [--retention-export FILE]
  [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--insecure] [--rate-limit 200] [--rate-burst 400] [--log-level info]`;


function num(text: string, flag: string, min: number, max: number, integer = true): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new SchedulerFlagError(`${flag} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return v;
}

export function parseSchedulerArgs(argv: string[]): SchedulerFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        'http-port': { type: 'string', default: '8470' },
        'grpc-port': { type: 'string', default: '8471' },
        state: { type: 'string', default: './var' },
        cluster: { type: 'string' },
        'heartbeat-interval-ms': { type: 'string', default: '1000' },
        'heartbeat-timeout-ms': { type: 'string', default: '5000' },
        'startup-grace-ms': { type: 'string', default: '10000' },
        'time-scale': { type: 'string', default: '1' },
        'forget-after-ms': { type: 'string', default: '10000' },
        'snapshot-every-records': { type: 'string', default: '100000' },
        'snapshot-every-ms': { type: 'string', default: '60000' },
        'dispatch-window': { type: 'string' },
        'retention-ms': { type: 'string', default: '0' },
        'retention-export': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        insecure: { type: 'boolean', default: false },
        'rate-limit': { type: 'string', default: '200' },
        'rate-burst': { type: 'string', default: '400' },
        ...TLS_ARG_OPTIONS,
      },
    }));
  } catch (err) {
    throw new SchedulerFlagError(`${(err as Error).message}\n${SCHEDULER_USAGE}`);
  }
  const flags: SchedulerFlags = {
    host: values.host,
    httpPort: num(values['http-port'], '--http-port', 0, 65535),
    grpcPort: num(values['grpc-port'], '--grpc-port', 0, 65535),
    stateDir: resolve(values.state),
    clusterPath: values.cluster,
    heartbeatIntervalMs: num(values['heartbeat-interval-ms'], '--heartbeat-interval-ms', 10, 600_000),
    heartbeatTimeoutMs: num(values['heartbeat-timeout-ms'], '--heartbeat-timeout-ms', 20, 3_600_000),
    startupGraceMs: num(values['startup-grace-ms'], '--startup-grace-ms', 0, 3_600_000),
    timeScale: num(values['time-scale'], '--time-scale', 1e-9, 1e9, false),
    forgetAfterMs: num(values['forget-after-ms'], '--forget-after-ms', 0, 86_400_000),
    snapshotEveryRecords: num(values['snapshot-every-records'], '--snapshot-every-records', 100, 100_000_000),
    snapshotEveryMs: num(values['snapshot-every-ms'], '--snapshot-every-ms', 100, 86_400_000),
    // Absent: the driver's own default (DEFAULT_DISPATCH_WINDOW), not a second copy of it here.
    dispatchWindow: values['dispatch-window'] === undefined ? undefined : num(values['dispatch-window'], '--dispatch-window', 1, 1_000_000),
    retentionMs: num(values['retention-ms'], '--retention-ms', 0, Number.MAX_SAFE_INTEGER),
    retentionExport: values['retention-export'] === undefined ? undefined : resolve(values['retention-export']),
    logLevel: values['log-level'],
    tls: tlsFilesFrom(values),
    insecure: values.insecure,
    rateLimit: { perSecond: num(values['rate-limit'], '--rate-limit', 0, 1e6), burst: num(values['rate-burst'], '--rate-burst', 1, 1e7) },
  };
  if (!isLoopback(flags.host) && !tlsEnabled(flags.tls) && !flags.insecure) {
    throw new SchedulerFlagError(`--host ${flags.host} is reachable from other machines, and without TLS the API tokens and patient pseudonyms would cross the network in clear: pass --tls-cert/--tls-key (see gsched certs init), or --insecure if the network is trusted`);
  }
  if (flags.heartbeatTimeoutMs <= flags.heartbeatIntervalMs) {
    throw new SchedulerFlagError(`--heartbeat-timeout-ms (${flags.heartbeatTimeoutMs}) must exceed --heartbeat-interval-ms (${flags.heartbeatIntervalMs})`);
  }
  return flags;
}
