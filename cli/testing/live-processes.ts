// Starts the real scheduler and one agent per container as child processes (compiled JS),
// on ephemeral loopback ports in a temp state folder, and stops them all again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compiledPath } from '../../scheduler/config/dist-path.js';

export interface LiveProcesses {
  state: string;
  httpUrl: string;
  stop(): Promise<void>;
}

function startUntil(file: string, args: string[], readyMsg: string, children: ChildProcess[]): Promise<Record<string, unknown>> {
  const proc = spawn(process.execPath, [compiledPath(file), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < 4000) stderr += b.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not say "${readyMsg}" within 30 s: ${stderr.trim()}`)), 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}: ${stderr.trim()}`));
    });
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (rec.msg === readyMsg) {
          clearTimeout(timer);
          resolve(rec);
        }
      } catch {
        // not a log record
      }
    });
  });
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const kill = setTimeout(() => c.kill('SIGKILL'), 3000);
          c.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

export interface LiveProcessOptions {
  cluster: string;
  containers: string[];
  timeScale: number;
  /** Extra flags for the scheduler and for each agent. */
  schedulerArgs?: string[];
  agentArgs?: string[];
}

export async function startLiveProcesses(opts: LiveProcessOptions): Promise<LiveProcesses> {
  const state = mkdtempSync(join(tmpdir(), 'gsched-e2e-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await stopAll(children.slice(1)); // agents first, so the scheduler does not see them fail
    await stopAll(children.slice(0, 1));
    rmSync(state, { recursive: true, force: true });
  };
  try {
    const ready = await startUntil(
      'scheduler/main.ts',
      ['--http-port', '0', '--grpc-port', '0', '--state', state, '--cluster', opts.cluster, '--time-scale', String(opts.timeScale), '--log-level', 'info', ...(opts.schedulerArgs ?? [])],
      'scheduler ready',
      children,
    );
    await Promise.all(
      opts.containers.map((c) =>
        startUntil(
          'node-agent/main.ts',
          ['--scheduler', String(ready.grpc), '--container', c, '--cluster', opts.cluster, '--join-token-file', join(state, 'join-token'), '--threads', '1', '--log-level', 'info', ...(opts.agentArgs ?? [])],
          'registered with scheduler',
          children,
        ),
      ),
    );
    return { state, httpUrl: String(ready.http), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
