// The `exec` kernel: runs a job's script as a child process of the agent, in its own process
// group (so a stop reaches whatever the script started), with its output and error in files,
// the scheduler's GSCHED_* variables in its environment and, when cgroup v2 is writable, the
// task's cores and memory as hard limits. It reports how the command ended; the agent maps a
// non-zero exit or a signal to a failed attempt.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { readStatCpu, signalName } from '../common/index.js';
import type { Assignment, Exec } from '../proto/index.js';
import { CgroupLimits } from './cgroup.js';

export interface ExecOptions {
  /** Folder for the script files the agent writes before running them. */
  scratchDir: string;
  /** Default wall ms from SIGTERM to SIGKILL when a stop names none (Slurm's KillWait). */
  killGraceMs: number;
  /** cgroup v2 limits, or null to run without. */
  cgroups: CgroupLimits | null;
  /** The agent's environment, on top of which a command's is built. */
  baseEnv: NodeJS.ProcessEnv;
}

/** How a command ended. */
export interface ExecResult {
  /** Exit status; 0 when a signal ended it. */
  exitCode: number;
  /** `SIGTERM`, ...; empty when it exited by itself. */
  signal: string;
  cpuMs: number;
  /** Where its output and error went (absolute paths). */
  output: string;
  error: string;
  /** Whether cgroup limits were applied, and if not, why. */
  cgroup: { applied: boolean; reason?: string };
  /** A sentence when it could not be started at all (bad chdir, unwritable output). */
  startError?: string;
}

export interface ExecHandle {
  readonly done: Promise<ExecResult>;
  /** SIGTERM to the process group, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): void;
  /** Sends a signal to the process group; false if the name is not a signal this system knows. */
  signal(name: string): boolean;
}

/** Runs an assignment's command. Never throws: a command that cannot start resolves with `startError`. */
export function runExec(a: Assignment, exec: Exec, opts: ExecOptions): ExecHandle {
  const env = commandEnv(a, exec, opts.baseEnv);
  const chdir = exec.chdir === '' ? process.cwd() : exec.chdir;
  const outPath = resolveIn(chdir, expandPattern(exec.output === '' ? defaultOutput(env) : exec.output, a, env));
  const errPath = exec.error === '' ? outPath : resolveIn(chdir, expandPattern(exec.error, a, env));
  const base: Omit<ExecResult, 'exitCode' | 'signal' | 'cpuMs'> = { output: outPath, error: errPath, cgroup: { applied: false, reason: 'not started' } };
  const failStart = (why: string): ExecHandle => ({
    done: Promise.resolve({ ...base, exitCode: 0, signal: '', cpuMs: 0, startError: why }),
    stop: () => undefined,
    signal: () => false,
  });

  try {
    if (!statSync(chdir).isDirectory()) return failStart(`--chdir ${chdir} is not a directory on ${a.node}`);
  } catch (err) {
    return failStart(`--chdir ${chdir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} on ${a.node}`);
  }
  const fds: number[] = [];
  const closeAll = (): void => {
    for (const fd of fds.splice(0)) closeSync(fd);
  };
  const flags = exec.append ? 'a' : 'w';
  try {
    fds.push(openSync(outPath, flags, 0o644));
    if (errPath !== outPath) fds.push(openSync(errPath, flags, 0o644));
  } catch (err) {
    closeAll();
    const e = err as NodeJS.ErrnoException;
    return failStart(`cannot open ${e.path ?? outPath} for the job's output: ${e.code ?? e.message}`);
  }
  const outFd = fds[0] as number;
  const errFd = fds[1] ?? outFd;

  const scriptPath = join(opts.scratchDir, `task-${a.task.taskId}-${a.task.attempt}.sh`);
  try {
    mkdirSync(opts.scratchDir, { recursive: true, mode: 0o700 });
    writeFileSync(scriptPath, exec.script, { mode: 0o700 });
  } catch (err) {
    closeAll();
    return failStart(`cannot write the script to ${scriptPath} on ${a.node}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const interpreter = exec.script.startsWith('#!') ? [scriptPath] : ['/bin/sh', scriptPath];

  const cg = opts.cgroups?.create(`task-${a.task.taskId}-${a.task.attempt}`, a.cores, a.memMb) ?? { dir: null, reason: 'cgroup limits are off on this agent' };
  // With a cgroup, a tiny shell joins it and then becomes the command, so nothing the command
  // starts runs outside the limits even for an instant.
  const argv = cg.dir === null ? interpreter : ['/bin/sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', cg.dir, ...interpreter];
  let child: ChildProcess;
  try {
    child = spawn(argv[0] as string, argv.slice(1), { cwd: chdir, env, stdio: ['ignore', outFd, errFd], detached: true });
  } catch (err) {
    closeAll();
    rmSync(scriptPath, { force: true });
    opts.cgroups?.remove(cg.dir);
    return failStart(`cannot start the command: ${(err as Error).message}`);
  }
  closeAll(); // the child holds its own copies

  let killTimer: NodeJS.Timeout | null = null;
  let exited = false;
  const startedAt = performance.now();
  const done = new Promise<ExecResult>((resolve) => {
    const finish = (exitCode: number, signal: string, startError?: string): void => {
      if (exited) return;
      exited = true;
      if (killTimer) clearTimeout(killTimer);
      rmSync(scriptPath, { force: true });
      const cgroup = cg.dir === null ? { applied: false, reason: cg.reason ?? 'no cgroup' } : { applied: true };
      const fromCgroup = cg.dir === null ? null : (opts.cgroups?.cpuMs(cg.dir) ?? null);
      opts.cgroups?.remove(cg.dir);
      const cpu = fromCgroup !== null ? Promise.resolve(fromCgroup) : reaped.share(performance.now() - startedAt);
      void cpu.then((cpuMs) => resolve({ ...base, exitCode, signal, cpuMs, cgroup, ...(startError ? { startError } : {}) }));
    };
    child.once('error', (err) => finish(0, '', `cannot start the command: ${err.message}`));
    child.once('exit', (code, signal) => finish(code ?? 0, signal ?? ''));
  });
  const group = (sig: NodeJS.Signals | number): boolean => {
    if (exited || child.pid === undefined) return false;
    try {
      process.kill(-child.pid, sig);
      return true;
    } catch {
      return false; // already gone
    }
  };
  return {
    done,
    stop(graceMs = opts.killGraceMs) {
      if (exited || killTimer) return;
      group('SIGTERM');
      killTimer = setTimeout(() => group('SIGKILL'), Math.max(0, graceMs));
    },
    signal(name) {
      const sig = signalName(name);
      if (sig === null) return false;
      group(sig);
      return true;
    },
  };
}


/** The command's environment: the agent's, without its own GSCHED_* settings, then the job's, then the node's. */
export function commandEnv(a: Assignment, exec: Exec, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('GSCHED_') && v !== undefined) env[k] = v;
  Object.assign(env, exec.env);
  env.GSCHED_JOB_ID ??= String(a.jobId);
  env.GSCHED_NODE = a.node;
  env.GSCHED_CPUS = String(a.cores);
  env.GSCHED_MEM_MB = String(a.memMb);
  env.GSCHED_TASK_ATTEMPT = String(a.task.attempt);
  // The names Slurm scripts already read.
  env.SLURM_JOB_ID = env.GSCHED_JOB_ID;
  env.SLURM_CPUS_PER_TASK = env.GSCHED_CPUS;
  env.SLURMD_NODENAME = a.node;
  if (env.GSCHED_ARRAY_JOB_ID !== undefined) env.SLURM_ARRAY_JOB_ID = env.GSCHED_ARRAY_JOB_ID;
  if (env.GSCHED_ARRAY_TASK_ID !== undefined) env.SLURM_ARRAY_TASK_ID = env.GSCHED_ARRAY_TASK_ID;
  if (env.GSCHED_TASK_INDEX !== undefined) env.SLURM_PROCID = env.GSCHED_TASK_INDEX;
  return env;
}

function defaultOutput(env: NodeJS.ProcessEnv): string {
  return env.GSCHED_ARRAY_TASK_ID !== undefined ? 'gsched-%A_%a.out' : 'gsched-%j.out';
}

/** Expands sbatch's filename patterns. An unknown `%c` is kept as written. */
export function expandPattern(pattern: string, a: Assignment, env: NodeJS.ProcessEnv): string {
  return pattern.replace(/%(.)/g, (whole, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'j':
        return env.GSCHED_JOB_ID ?? String(a.jobId);
      case 'A':
        return env.GSCHED_ARRAY_JOB_ID ?? env.GSCHED_JOB_ID ?? String(a.jobId);
      case 'a':
        return env.GSCHED_ARRAY_TASK_ID ?? '4294967294'; // Slurm's value outside an array
      case 'x':
        return env.GSCHED_JOB_NAME ?? 'job';
      case 'u':
        return env.GSCHED_JOB_USER ?? 'unknown';
      case 'N':
        return a.node;
      case 't':
        return env.GSCHED_TASK_INDEX ?? '0';
      default:
        return whole;
    }
  });
}

function resolveIn(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

// ---------------------------------------------------------------- CPU time without cgroups

/**
 * Without a cgroup, a command's CPU time is what the kernel adds to the agent's "reaped
 * children" times (/proc/self/stat: cutime + cstime) when the command is reaped. Commands
 * reaped in the same turn of the event loop share that increase in proportion to their wall
 * time. The agent starts no other child processes, so nothing else is counted.
 */
class ReapedCpu {
  private last = childrenCpuMs();
  private batch: { wallMs: number; resolve(cpuMs: number): void }[] = [];

  share(wallMs: number): Promise<number> {
    return new Promise((resolve) => {
      if (this.batch.length === 0) setImmediate(() => this.settle());
      this.batch.push({ wallMs: Math.max(1, wallMs), resolve });
    });
  }

  private settle(): void {
    const now = childrenCpuMs();
    const delta = Math.max(0, now - this.last);
    this.last = now;
    const batch = this.batch;
    this.batch = [];
    const total = batch.reduce((s, b) => s + b.wallMs, 0);
    for (const b of batch) b.resolve(Math.round((delta * b.wallMs) / total));
  }
}

const reaped = new ReapedCpu();

function childrenCpuMs(): number {
  return readStatCpu('/proc/self/stat')?.reapedChildrenMs ?? 0; // no /proc: CPU time unknown, reported as 0
}

/** The scratch folder an agent named `name` uses by default. */
export function defaultScratchDir(name: string): string {
  return join(tmpdir(), `gsched-${name}-scripts`);
}
