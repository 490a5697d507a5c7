// Command-line flags of the node agent, checked into AgentOptions-ready values.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ClusterConfig } from '../scheduler/core/index.js';
import { TLS_ARG_OPTIONS, tlsFilesFrom } from '../proto/index.js';
import type { AgentOptions } from './agent.js';
import type { KernelMode } from './pool.js';
import { AgentConfigError } from './errors.js';

/** The agent's options from its flags, plus what main.ts needs to build the rest. */
export type AgentFlags = Omit<AgentOptions, 'pool' | 'log' | 'backoffMinMs' | 'backoffMaxMs' | 'exec'> & {
  /** Whether the exec kernel runs commands. */
  exec: boolean;
  /** Wall ms from SIGTERM to SIGKILL when a command is stopped. */
  killGraceMs: number;
  /** `auto`, `off` or a cgroup v2 folder. */
  cgroup: string;
  scratchDir: string | undefined;
  backoffMaxMs: number;
  threads: number | undefined;
  kernels: KernelMode;
  kernelScale: number;
  logLevel: string;
  clusterPath: string | undefined;
};

export const USAGE = `usage: node-agent --scheduler HOST:PORT --name NAME --container C [--nodes N1,N2] --join-token-file FILE
  [--cluster FILE] [--time-scale X] [--default-duration-ms MS] [--threads N] [--kernels real|noop] [--kernel-scale 0.05]
  [--backoff-max-ms 2000] [--log-level info]
  [--exec on|off] [--kill-grace-ms 30000] [--cgroup auto|off|DIR] [--scratch-dir DIR]
  [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]`;

export function parseAgentArgs(argv: string[], loadConfig: (path?: string) => ClusterConfig): AgentFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        scheduler: { type: 'string', default: '127.0.0.1:8471' },
        name: { type: 'string' },
        container: { type: 'string' },
        nodes: { type: 'string' },
        'join-token-file': { type: 'string', default: './var/join-token' },
        cluster: { type: 'string' },
        'time-scale': { type: 'string' },
        'default-duration-ms': { type: 'string', default: '1000' },
        threads: { type: 'string' },
        'backoff-max-ms': { type: 'string', default: '2000' },
        kernels: { type: 'string', default: 'real' },
        'kernel-scale': { type: 'string', default: '0.05' },
        'log-level': { type: 'string', default: 'info' },
        exec: { type: 'string', default: 'on' },
        'kill-grace-ms': { type: 'string', default: '30000' },
        cgroup: { type: 'string', default: 'auto' },
        'scratch-dir': { type: 'string' },
        ...TLS_ARG_OPTIONS,
      },
    }));
  } catch (err) {
    throw new AgentConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  if (!values.container) throw new AgentConfigError(`--container is required\n${USAGE}`);
  const container = values.container;
  const name = values.name ?? `agent-${container}`;
  const config = loadConfig(values.cluster);
  const inContainer = config.nodes.filter((n) => n.container === container);
  if (inContainer.length === 0) {
    throw new AgentConfigError(`--container ${container}: no such container in cluster ${config.name} (${[...new Set(config.nodes.map((n) => n.container))].join(', ')})`);
  }
  let chosen = inContainer;
  if (values.nodes !== undefined) {
    const wanted = values.nodes.split(',').map((s) => s.trim()).filter((s) => s !== '');
    chosen = wanted.map((w) => {
      const n = inContainer.find((x) => x.name === w);
      if (!n) throw new AgentConfigError(`--nodes: ${w} is not a node of container ${container}`);
      return n;
    });
    if (chosen.length === 0) throw new AgentConfigError('--nodes lists no node');
  }
  let joinToken: string;
  try {
    joinToken = readFileSync(values['join-token-file'], 'utf8').trim();
  } catch (err) {
    throw new AgentConfigError(`--join-token-file ${values['join-token-file']}: ${(err as Error).message} (the scheduler writes <state>/join-token on first start)`);
  }
  const timeScale = values['time-scale'] === undefined ? null : positive(values['time-scale'], '--time-scale');
  return {
    scheduler: values.scheduler,
    name,
    container,
    nodes: chosen.map((n) => ({ name: n.name, cores: n.cores, memMb: n.memMb })),
    joinToken,
    timeScale,
    defaultDurationMs: positive(values['default-duration-ms'], '--default-duration-ms'),
    threads: values.threads === undefined ? undefined : Math.floor(positive(values.threads, '--threads')),
    backoffMaxMs: positive(values['backoff-max-ms'], '--backoff-max-ms'),
    kernels: kernelMode(values.kernels),
    kernelScale: positive(values['kernel-scale'], '--kernel-scale'),
    logLevel: values['log-level'],
    tls: tlsFilesFrom(values),
    clusterPath: values.cluster,
    exec: onOff(values.exec, '--exec'),
    killGraceMs: nonNegative(values['kill-grace-ms'], '--kill-grace-ms'),
    cgroup: values.cgroup,
    scratchDir: values['scratch-dir'],
  };
}

function kernelMode(text: string): KernelMode {
  if (text !== 'real' && text !== 'noop') throw new AgentConfigError(`--kernels must be real or noop, got ${JSON.stringify(text)}`);
  return text;
}

function onOff(text: string, flag: string): boolean {
  if (text !== 'on' && text !== 'off') throw new AgentConfigError(`${flag} must be on or off, got ${JSON.stringify(text)}`);
  return text === 'on';
}

function nonNegative(text: string, flag: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new AgentConfigError(`${flag} must be a number of milliseconds (0 or more), got ${JSON.stringify(text)}`);
  return v;
}

function positive(text: string, flag: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new AgentConfigError(`${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return v;
}
