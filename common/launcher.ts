// Starts the scheduler and node agents as child processes (compiled JS from dist/) and waits
// until each says it is ready. Used by `gsched up` and by the live-cluster tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { compiledPath } from './paths.js';
import { LIFELINE_ENV } from './lifeline.js';

export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<number | string>;
}

export interface SpawnOptions {
  args: string[];
  /** Options for node itself, before the script (e.g. V8 heap sizes). */
  nodeArgs?: readonly string[];
  /** Append the child's stdout/stderr (pino JSON) to this file; otherwise discard it. */
  logFile?: string;
  /** The log line (its `msg`) that means ready. */
  readyMsg: string;
  readyTimeoutMs?: number;
  /** Run it on these CPUs only, a list as taskset takes it (`1`, `2-3`): see cpu-affinity.ts. */
  cpus?: string;
}

function track(proc: ChildProcess): Child {
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const stop = async (graceMs = 5000): Promise<number | string> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    }
    return exited;
  };
  return { process: proc, pid: proc.pid ?? -1, exited, stop };
}

/** Spawns `node <dist file> args` and resolves with it and its ready line once that appears. */
export function spawnReady(file: string, opts: SpawnOptions): Promise<{ child: Child; ready: Record<string, unknown> }> {
  const nodeArgv = [...(opts.nodeArgs ?? []), compiledPath(file), ...opts.args];
  // taskset execs node in its own process (same pid): the child and every thread it starts keep the set.
  const [cmd, argv] = opts.cpus === undefined ? [process.execPath, nodeArgv] : ['taskset', ['--cpu-list', opts.cpus, process.execPath, ...nodeArgv]];
  const proc = spawn(cmd, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [LIFELINE_ENV]: '1' },
  });
  const child = track(proc);
  const sink: WriteStream | null = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : null;
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    sink?.write(b);
    if (stderr.length < 4000) stderr += b.toString();
  });
  const lines = createInterface({ input: proc.stdout! });
  child.exited.finally(() => sink?.end()).catch(() => undefined);
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      void child.stop(500);
      reject(new LaunchError(`${file} did not report "${opts.readyMsg}" within ${opts.readyTimeoutMs ?? 30_000} ms`));
    }, opts.readyTimeoutMs ?? 30_000);
    lines.on('line', (line) => {
      sink?.write(`${line}\n`);
      if (done) return;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (rec.msg === opts.readyMsg) {
        done = true;
        clearTimeout(timer);
        resolve({ child, ready: rec });
      }
    });
    void child.exited.then((code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // Let stderr drain so the message is whole.
      setTimeout(() => reject(new LaunchError(firstReason(stderr) ?? `${file} exited with ${code} and printed no reason`)), 50);
    });
  });
}

/** The process's own one-line message (`scheduler: …`), else its last line of stderr. */
function firstReason(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => /^(scheduler|agent|node-agent): /.test(l)) ?? lines.at(-1);
}

/**
 * V8 options for the scheduler and agent processes: a young generation of up to 64 MB per
 * semi-space (node's default is 16). Both allocate short-lived objects per task (messages,
 * journal records, views) beside long-lived state; with the default, more of that garbage
 * lived through two scavenges and was promoted, then marked and compacted with the state. In
 * bench:ngc's live burst (1,500 analyses, two pairs of runs side by side) the scheduler's main
 * thread used 139 and 141 µs of CPU per task with it against 161 and 180 without, the agents
 * 241 and 229 against 251 and 249.
 *
 * And one V8 worker thread instead of node's four (--v8-pool-size=1): they run the parallel
 * scavenges and concurrent marking, and on a two-core host shared with the agents, the clients
 * and whatever else runs, four of them contended for the cores with the threads doing the work
 * (the event loop, lmdb's writer). bench:live, 12 alternated pairs of one job per POST from 64
 * clients: scheduler CPU per job 0.213 -> 0.197 ms, jobs/s x1.08 (median ratio); the price is
 * a longer scavenge on the event loop in a burst: arrays of 1,000 dispatch p99 ~43 ms vs 30-41.
 */
export const SERVER_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64', '--v8-pool-size=1'];

export interface SchedulerLaunch {
  child: Child;
  httpUrl: string;
  grpcAddress: string;
}

export async function launchScheduler(args: string[], logFile?: string): Promise<SchedulerLaunch> {
  const { child, ready } = await spawnReady('scheduler/main.ts', { args, logFile, readyMsg: 'scheduler ready', nodeArgs: SERVER_NODE_ARGS });
  return { child, httpUrl: String(ready.http), grpcAddress: String(ready.grpc) };
}

/** Starts an agent; `cpus` pins it (its kernels and commands too) to those CPUs (cpu-affinity.ts). */
export async function launchAgent(args: string[], logFile?: string, cpus?: string): Promise<Child> {
  const { child } = await spawnReady('node-agent/main.ts', { args, logFile, readyMsg: 'registered with scheduler', nodeArgs: SERVER_NODE_ARGS, cpus });
  return child;
}
