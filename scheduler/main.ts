#!/usr/bin/env node
// The scheduler process: `node dist/scheduler/main.js --state ./var ...` (see README.md).
// Prints one JSON line `{"msg":"scheduler ready","http":...,"grpc":...}` when it serves.
// Exit codes: 0 stopped by a signal (or --help), 1 failure (port in use, state folder unusable), 2 bad flags.
import { tlsEnabled } from '../proto/index.js';
import { PortInUseError, startScheduler } from './process.js';
import { SCHEDULER_USAGE, SchedulerFlagError, parseSchedulerArgs } from './process-options.js';
import { helpRequested, isLoopback, processLogger, stopOnSignals } from '../common/index.js';

async function main(): Promise<void> {
  if (helpRequested(process.argv.slice(2))) {
    process.stdout.write(`${SCHEDULER_USAGE}\n(gsched up starts it with one node agent per container; see README.md)\n`);
    return;
  }
  let flags;
  try {
    flags = parseSchedulerArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`scheduler: ${(err as Error).message}\n`);
    process.exit(err instanceof SchedulerFlagError ? 2 : 1);
  }
  const log = processLogger('scheduler', flags.logLevel);
  let running;
  try {
    running = await startScheduler(flags, log);
  } catch (err) {
    process.stderr.write(`scheduler: ${(err as Error).message}\n`);
    if (!(err instanceof PortInUseError)) log.fatal({ err }, 'cannot start');
    process.exit(1);
  }
  const r = running;
  if (flags.insecure && !isLoopback(flags.host) && !tlsEnabled(flags.tls)) {
    log.warn({ host: flags.host }, 'serving beyond loopback without TLS (--insecure): tokens and pseudonyms cross the network in clear');
  }
  r.driver.onFatal(() => void r.stop().finally(() => process.exit(1)));
  // Written whatever the log level: `gsched up` and tests wait for this line.
  process.stdout.write(`${JSON.stringify({ msg: 'scheduler ready', http: r.httpUrl, grpc: r.grpcAddress, state: flags.stateDir, timeScale: flags.timeScale })}\n`);
  stopOnSignals(log, () => r.stop());
}

void main();
