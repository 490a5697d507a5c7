// `gsched up` (= `npm start`): the scheduler and one agent per container as child processes,
// state under ./var; prints where it serves and a status line; Ctrl-C stops everything.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { checkCpuList, cpuCount, CpuListError, isLoopback, loadClusterConfig, LaunchError, launchAgent, launchScheduler, type Child } from '../../common/index.js';
import { ApiClient, dashboardToken } from '../client.js';
import { CliError } from '../errors.js';
import { parseTimeLimit } from '../format/units.js';

interface UpOptions {
  host: string;
  httpPort: string;
  grpcPort: string;
  state: string;
  cluster?: string;
  timeScale: string;
  heartbeatTimeoutMs: string;
  kernels: string;
  kernelScale: string;
  tls?: string;
  insecure?: boolean;
  killGraceMs: string;
  retention?: string;
  rateLimit?: string;
  dispatchWindow?: string;
  snapshotEveryRecords?: string;
  snapshotEveryMs?: string;
  rateBurst?: string;
  logLevel?: string;
  agentCpus?: string;
  json?: boolean;
}

export interface UpStatus {
  httpUrl: string;
  grpcAddress: string;
  state: string;
  agents: { connected: number; total: number };
  cores: { up: number; total: number };
  timeScale: number;
  /** The dashboard, with a token in the fragment: open it in a browser. */
  dashboardUrl: string;
}

/** What `gsched up` prints once everything runs: three lines, or one JSON line with --json. */
export function upBanner(s: UpStatus, json: boolean): string {
  if (json) return `${JSON.stringify(s)}\n`;
  return `gsched up: ${s.httpUrl} (agents on ${s.grpcAddress}), state ${s.state}\n` +
    `dashboard: ${s.dashboardUrl}\n` +
    `status: ${s.agents.connected}/${s.agents.total} agents connected, ${s.cores.up}/${s.cores.total} cores up, time scale ${s.timeScale}; Ctrl-C to stop\n`;
}

/** pino's levels: the scheduler and agents log at this level and above. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function portFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(true);
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => res(true)));
  });
}

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`${flag} must be a port number (0-65535), got ${JSON.stringify(text)}`, 2);
  return n;
}

async function up(o: UpOptions): Promise<void> {
  const httpPort = port(o.httpPort, '--http-port');
  const grpcPort = port(o.grpcPort, '--grpc-port');
  const scale = Number(o.timeScale);
  if (!Number.isFinite(scale) || scale <= 0) throw new CliError(`--time-scale must be a positive number, got ${JSON.stringify(o.timeScale)}`, 2);
  if (o.kernels !== 'real' && o.kernels !== 'noop') throw new CliError(`--kernels must be real or noop, got ${JSON.stringify(o.kernels)}`, 2);
  let config;
  try {
    config = loadClusterConfig(o.cluster);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (!isLoopback(o.host) && o.tls === undefined && !o.insecure) {
    throw new CliError(`--host ${o.host} is reachable from other machines: serve it with TLS (gsched certs init DIR, then --tls DIR), or pass --insecure if the network is trusted`, 2);
  }
  const tlsDir = o.tls === undefined ? null : resolve(o.tls);
  if (tlsDir !== null) {
    for (const f of ['ca.pem', 'server.pem', 'server.key', 'agent.pem', 'agent.key']) {
      if (!existsSync(join(tlsDir, f))) throw new CliError(`--tls ${o.tls}: ${f} is missing (make the folder with gsched certs init ${o.tls})`, 2);
    }
  }
  if (o.agentCpus !== undefined) {
    try {
      checkCpuList(o.agentCpus);
    } catch (err) {
      if (err instanceof CpuListError) throw new CliError(`--agent-cpus: ${err.message}`, 2);
      throw err;
    }
  }
  for (const [p, flag] of [[httpPort, '--http-port'], [grpcPort, '--grpc-port']] as const) {
    if (!(await portFree(o.host, p))) throw new CliError(`port ${p} on ${o.host} is already in use (is gsched already up? choose another with ${flag})`, 1);
  }
  const state = resolve(o.state);
  const logs = join(state, 'logs');
  mkdirSync(logs, { recursive: true });

  const children: Child[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    stopping = true;
    // Agents first, so the scheduler does not see them vanish as failures it must record.
    await Promise.all(children.slice(1).map((c) => c.stop()));
    await children[0]?.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  const schedArgs = ['--host', o.host, '--http-port', String(httpPort), '--grpc-port', String(grpcPort), '--state', state, '--time-scale', String(scale), '--heartbeat-timeout-ms', o.heartbeatTimeoutMs];
  if (o.cluster) schedArgs.push('--cluster', resolve(o.cluster));
  if (o.insecure) schedArgs.push('--insecure');
  if (o.logLevel !== undefined) {
    if (!LOG_LEVELS.includes(o.logLevel)) throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(o.logLevel)}`, 2);
    schedArgs.push('--log-level', o.logLevel);
  }
  for (const [text, flag, min, max] of [[o.rateLimit, '--rate-limit', 0, 1e6], [o.rateBurst, '--rate-burst', 1, 1e7], [o.dispatchWindow, '--dispatch-window', 1, 1e6], [o.snapshotEveryRecords, '--snapshot-every-records', 100, 1e8], [o.snapshotEveryMs, '--snapshot-every-ms', 100, 86_400_000]] as const) {
    if (text === undefined) continue;
    const n = Number(text);
    if (!/^\d{1,9}$/.test(text) || n < min || n > max) throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, 2);
    schedArgs.push(flag, text);
  }
  if (o.retention !== undefined) {
    const ms = parseTimeLimit(o.retention);
    if (ms === null) throw new CliError(`--retention ${o.retention}: expected an age like 30-00 (days-hours) or 12:00:00`, 2);
    schedArgs.push('--retention-ms', String(ms));
  }
  if (tlsDir !== null) {
    schedArgs.push('--tls-cert', join(tlsDir, 'server.pem'), '--tls-key', join(tlsDir, 'server.key'), '--tls-ca', join(tlsDir, 'ca.pem'));
    // The local CLI trusts this CA for the https URL, as it reads api-token from the state folder.
    copyFileSync(join(tlsDir, 'ca.pem'), join(state, 'ca.pem'));
  }
  let sched;
  try {
    sched = await launchScheduler(schedArgs, join(logs, 'scheduler.log'));
  } catch (err) {
    if (err instanceof LaunchError) throw new CliError(`the scheduler did not start: ${err.message.replace(/^scheduler: /, '')}`, 1);
    throw err;
  }
  children.push(sched.child);
  void sched.child.exited.then((code) => {
    if (stopping) return;
    process.stderr.write(`gsched: the scheduler exited (${code}); see ${join(logs, 'scheduler.log')}\n`);
    void stopAll(1);
  });

  const containers = [...new Set(config.nodes.map((n) => n.container))];
  // The agents share this machine (or the CPUs they are pinned to): split its cores between their kernel pools.
  const cores = o.agentCpus === undefined ? availableParallelism() : (cpuCount(o.agentCpus) ?? 1);
  const threads = Math.max(1, Math.floor(cores / containers.length));
  try {
    await Promise.all(
      containers.map(async (c) => {
        const args = ['--scheduler', sched.grpcAddress, '--name', `agent-${c}`, '--container', c, '--join-token-file', join(state, 'join-token'), '--time-scale', String(scale), '--threads', String(threads), '--kernels', o.kernels, '--kernel-scale', o.kernelScale, '--kill-grace-ms', o.killGraceMs];
        if (o.cluster) args.push('--cluster', resolve(o.cluster));
        if (o.logLevel !== undefined) args.push('--log-level', o.logLevel);
        if (tlsDir !== null) args.push('--tls-ca', join(tlsDir, 'ca.pem'), '--tls-cert', join(tlsDir, 'agent.pem'), '--tls-key', join(tlsDir, 'agent.key'));
        const child = await launchAgent(args, join(logs, `agent-${c}.log`), o.agentCpus);
        children.push(child);
        void child.exited.then((code) => {
          if (!stopping) process.stderr.write(`gsched: agent-${c} exited (${code}); see ${join(logs, `agent-${c}.log`)}\n`);
        });
      }),
    );
  } catch (err) {
    process.stderr.write(`gsched: an agent did not start: ${(err as Error).message}\n`);
    await stopAll(1);
  }

  // The admin token the scheduler wrote on first start (GSCHED_TOKEN is for other clients).
  const admin = ApiClient.fromOptions({ url: sched.httpUrl, state, ...(tlsDir === null ? {} : { ca: join(tlsDir, 'ca.pem') }), token: undefined });
  const cluster = (await admin.cluster()) as { cores: number; coresDown: number; agents: { connected: boolean }[] };
  const connected = cluster.agents.filter((a) => a.connected).length;
  const status: UpStatus = {
    httpUrl: sched.httpUrl,
    grpcAddress: sched.grpcAddress,
    state,
    agents: { connected, total: containers.length },
    cores: { up: cluster.cores - cluster.coresDown, total: cluster.cores },
    timeScale: scale,
    // The dashboard opens signed in: the token rides in the URL fragment, which the browser
    // never sends to the server; the page keeps it for the tab and clears it from the address
    // bar. It is a viewer token (no pseudonyms), made afresh at each start.
    dashboardUrl: `${sched.httpUrl}/#token=${encodeURIComponent(await dashboardToken(admin))}`,
  };
  process.stdout.write(upBanner(status, o.json === true));
  await new Promise<never>(() => undefined);
}

export function registerUpCommands(program: Command): void {
  program
    .command('up')
    .description('start the scheduler and one node agent per container (Ctrl-C stops them all)')
    .option('--host <addr>', 'address to serve on (loopback by default)', '127.0.0.1')
    .option('--http-port <port>', 'HTTP API port (0: any free port)', '8470')
    .option('--grpc-port <port>', 'agent gRPC port (0: any free port)', '8471')
    .option('--state <dir>', 'state folder (journal, tokens, logs)', './var')
    .option('--cluster <file>', 'cluster config (default: scheduler/config/cluster.default.json)')
    .option('--time-scale <x>', 'wall time per modelled time: 0.001 runs a one-hour task in 3.6 s', '0.001')
    .option('--heartbeat-timeout-ms <ms>', 'declare an agent\'s nodes down after this long without a heartbeat', '5000')
    .option('--kernels <mode>', 'real: qc/align/call/simulate tasks run the genome kernels; noop: every task runs the no-op kernel (benchmarks)', 'real')
    .option('--kernel-scale <x>', 'size of the genome kernels\' synthetic data (1 = 100 kbp genome at 30x)', '0.05')
    .option('--tls <dir>', 'serve HTTPS and gRPC mutual TLS with the certificates in DIR (from gsched certs init DIR)')
    .option('--insecure', 'allow a non-loopback --host without TLS (tokens and pseudonyms cross the network in clear)')
    .option('--kill-grace-ms <ms>', 'wall ms between SIGTERM and SIGKILL when a running command is stopped', '30000')
    .option('--rate-limit <n>', 'requests per second each API token may make (the scheduler\'s default: 200)')
    .option('--rate-burst <n>', 'requests a token may make at once above its rate (default: 400)')
    .option('--dispatch-window <n>', 'assignments sent to agents and not yet acknowledged before the next schedule pass waits for them, as Slurm\'s max_rpc_cnt (default: 100)')
    .option('--snapshot-every-records <n>', 'journal records between snapshots of the scheduler\'s state, which bound how much a restart replays (default: 100000); each snapshot replays the journal since the last one in a worker thread, CPU that a small host shares with the agents')
    .option('--snapshot-every-ms <ms>', 'wall ms between snapshots while at least 1,000 records have come (default: 60000)')
    .option('--agent-cpus <list>', 'run the agents (their kernels and commands too) on these CPUs only, e.g. 1 or 2-3 (taskset\'s list): on one host, keeps their work off the CPUs the scheduler runs on')
    .option('--log-level <level>', 'log level of the scheduler and agents (<state>/logs): fatal, error, warn, info, debug, trace or silent (default info)')
    .option('--retention <age>', 'export job records older than this (scheduler clock, e.g. 30-00 for 30 days) to <state>/archive/jobs.jsonl and remove them')
    .option('--json', 'print where it serves as one JSON line instead of the two status lines')
    .action(async (o: UpOptions) => up(o));
}
