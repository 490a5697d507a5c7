#!/usr/bin/env node
// The node agent process: `node dist/node-agent/main.js --container c1 ...` (see README.md).
// Exit codes: 0 stopped by a signal (or --help), 2 bad flags or refused by the scheduler, 1 anything else.
import { helpRequested, loadClusterConfig, processLogger, stopOnSignals } from '../common/index.js';
import { AgentConfigError, AgentRejectedError } from './errors.js';
import { NodeAgent } from './agent.js';
import { USAGE, parseAgentArgs } from './options.js';
import { createKernelPool } from './pool.js';
import { CgroupLimits } from './cgroup.js';
import { defaultScratchDir, type ExecOptions } from './exec.js';

async function main(): Promise<void> {
  if (helpRequested(process.argv.slice(2))) {
    process.stdout.write(`${USAGE}\n(gsched up starts one per container; see node-agent/README.md)\n`);
    return;
  }
  let flags;
  try {
    flags = parseAgentArgs(process.argv.slice(2), loadClusterConfig);
  } catch (err) {
    process.stderr.write(`node-agent: ${(err as Error).message}\n`);
    process.exit(err instanceof AgentConfigError ? 2 : 1);
  }
  const log = processLogger(flags.name, flags.logLevel);
  let exec: ExecOptions | null = null;
  if (flags.exec) {
    const cg = CgroupLimits.open(flags.cgroup, flags.name);
    if (cg.limits === null) log.warn({ reason: cg.reason }, 'exec kernel: no cgroup limits');
    exec = { scratchDir: flags.scratchDir ?? defaultScratchDir(flags.name), killGraceMs: flags.killGraceMs, cgroups: cg.limits, baseEnv: process.env };
  }
  const agent = new NodeAgent({
    scheduler: flags.scheduler,
    name: flags.name,
    container: flags.container,
    nodes: flags.nodes,
    joinToken: flags.joinToken,
    timeScale: flags.timeScale,
    defaultDurationMs: flags.defaultDurationMs,
    tls: flags.tls,
    pool: createKernelPool({ mode: flags.kernels, threads: flags.threads, scale: flags.kernelScale }),
    backoffMaxMs: flags.backoffMaxMs,
    exec,
    log,
  });
  agent.onFatal((err) => {
    process.stderr.write(`node-agent: ${err.message}\n`);
    log.fatal({ reason: err.message }, 'refused by scheduler');
    void agent.shutdown().finally(() => process.exit(err instanceof AgentRejectedError ? 2 : 1));
  });
  stopOnSignals(log, () => agent.shutdown());
  log.info({ scheduler: flags.scheduler, nodes: flags.nodes.length }, 'agent starting');
  let announced = false;
  agent.onRegistered(() => {
    // Written whatever the log level, once: `gsched up` and tests wait for this line.
    if (!announced) process.stdout.write(`${JSON.stringify({ msg: 'registered with scheduler', agent: flags.name })}\n`);
    announced = true;
  });
  agent.start();
}

void main();
