// Runs `gsched up` (the compiled CLI) as an operator would, on ephemeral loopback ports in a
// temp state folder, and stops it (and with it the scheduler and agents) again.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledPath } from '../../common/index.js';

export interface GschedUp {
  httpUrl: string;
  /** The state folder: api-token, journal, logs/. */
  state: string;
  /** The admin token `gsched up` wrote on first start (<state>/api-token). */
  token: string;
  /** The lines `gsched up` printed. */
  banner: string;
  /** The `gsched up` process (its scheduler and agents are its children). */
  pid: number;
  stop(): Promise<void>;
}

export interface GschedUpOptions {
  cluster?: string;
  timeScale: number;
  /** More `gsched up` flags, e.g. `['--kernels', 'noop']`. */
  args?: string[];
  readyTimeoutMs?: number;
}

export async function startGschedUp(opts: GschedUpOptions): Promise<GschedUp> {
  const state = mkdtempSync(join(tmpdir(), 'gsched-up-'));
  const args = ['up', '--http-port', '0', '--grpc-port', '0', '--state', state, '--time-scale', String(opts.timeScale)];
  if (opts.cluster) args.push('--cluster', opts.cluster);
  args.push(...(opts.args ?? []));
  const up = spawn(process.execPath, [compiledPath('cli/main.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => up.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (up.exitCode === null && up.signalCode === null) {
      up.kill('SIGTERM'); // up stops its agents, then the scheduler
      const kill = setTimeout(() => up.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(kill);
    }
    rmSync(state, { recursive: true, force: true });
  };
  let out = '';
  let err = '';
  up.stderr.on('data', (b: Buffer) => (err += b.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gsched up printed no status line within the time allowed: ${out}${err}`)), opts.readyTimeoutMs ?? 60_000);
      up.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (/^status: /m.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`gsched up exited early (${up.exitCode ?? up.signalCode}): ${err.trim() || out.trim()}`));
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const httpUrl = /^gsched up: (https?:\/\/\S+)/m.exec(out)?.[1];
  if (!httpUrl) {
    await stop();
    throw new Error(`cannot find the URL in gsched up's banner: ${out}`);
  }
  return { httpUrl, state, token: readFileSync(join(state, 'api-token'), 'utf8').trim(), banner: out, pid: up.pid ?? 0, stop };
}
