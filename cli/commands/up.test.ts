// `gsched up` as a user runs it: starts the scheduler and three agents, says where it serves,
// and on SIGTERM stops them all (no orphan left); a taken port is a one-line error, exit 1.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedCpus, compiledPath } from '../../common/index.js';
import { SMALL_CLUSTER, waitFor } from '../../scheduler/testing/index.js';
import { upBanner } from './up.js';

const state = mkdtempSync(join(tmpdir(), 'gsched-up-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `gsched up` on ephemeral ports and resolves once it has printed its status line. */
async function startUp(flags: string[] = []): Promise<{ up: ChildProcess; exited: Promise<number | null>; out: string }> {
  const up = spawn(process.execPath, [compiledPath('cli/main.ts'), 'up', '--http-port', '0', '--grpc-port', '0', '--state', state, '--cluster', SMALL_CLUSTER(), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
  let out = '';
  let err = '';
  up.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no status line; got ${out}${err}`)), 40_000);
    up.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (/^status: /m.test(out)) {
        clearTimeout(t);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`up exited early with ${code}: ${out}${err}`)));
  });
  return { up, exited, out };
}

describe('gsched up', () => {
  it('starts the scheduler and three agents (pinned with --agent-cpus), serves, and stops them all on SIGTERM', async () => {
    // The first CPU this process may use (0 on most hosts).
    const first = /^\d+/.exec(allowedCpus() ?? '0')?.[0] ?? '0';
    const { up, exited, out } = await startUp(['--agent-cpus', first]);
    let kids: number[] = [];
    try {
      expect(out).toMatch(/status: 3\/3 agents connected, 48\/48 cores up/);
      const url = /gsched up: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      expect(url).toBeDefined();
      const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; agents: number };
      expect(health).toMatchObject({ status: 'ok', agents: 3 });
      kids = childrenOf(up.pid ?? -1);
      expect(kids).toHaveLength(4);
      // The agents run on that CPU only; the scheduler on every CPU this process may use.
      const cpus = (pid: number): string | undefined => /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      const isAgent = (pid: number): boolean => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node-agent/main.js');
      expect(kids.filter(isAgent).map(cpus)).toEqual([first, first, first]);
      expect(kids.filter((k) => !isAgent(k)).map(cpus)).toEqual([cpus(process.pid)]);
    } finally {
      up.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(kids.filter(alive)).toEqual([]);
  });

  it('leaves no orphan when it is killed with SIGKILL (its children follow it)', async () => {
    const { up, exited } = await startUp();
    const kids = childrenOf(up.pid ?? -1);
    expect(kids).toHaveLength(4);
    up.kill('SIGKILL');
    await exited;
    await waitFor('the children to exit', () => kids.every((k) => !alive(k)), 20_000);
  });

  it('refuses a port in use with one line and exit code 1', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as AddressInfo).port;
    try {
      const up = spawn(process.execPath, [compiledPath('cli/main.ts'), 'up', '--http-port', String(port), '--state', state], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      up.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const code = await new Promise<number | null>((resolve) => up.once('exit', resolve));
      expect(code).toBe(1);
      expect(err.trim().split('\n')).toEqual([`gsched: port ${port} on 127.0.0.1 is already in use (is gsched already up? choose another with --http-port)`]);
    } finally {
      srv.close();
    }
  });
});

describe('gsched up with a bad rate limit, dispatch window, snapshot cadence, log level or CPU list', () => {
  it.each([
    [['--rate-limit', 'lots'], '--rate-limit must be a whole number from 0 to 1000000, got "lots"'],
    [['--rate-burst', '0'], '--rate-burst must be a whole number from 1 to 10000000, got "0"'],
    [['--dispatch-window', '0'], '--dispatch-window must be a whole number from 1 to 1000000, got "0"'],
    [['--snapshot-every-records', '10'], '--snapshot-every-records must be a whole number from 100 to 100000000, got "10"'],
    [['--snapshot-every-ms', '1e3'], '--snapshot-every-ms must be a whole number from 100 to 86400000, got "1e3"'],
    [['--log-level', 'loud'], '--log-level must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    [['--agent-cpus', 'one'], '--agent-cpus: "one" is not a CPU list: expected CPU numbers and ranges such as 1 or 0,2-3'],
    [['--agent-cpus', '4095'], /^--agent-cpus: CPUs 4095 cannot be used here \(taskset: .+\); this process may run on CPUs \S+$/],
  ])('refuses %j with one line naming the flag, exit 2, before starting anything', async (flags, message) => {
    const up = spawn(process.execPath, [compiledPath('cli/main.ts'), 'up', '--http-port', '0', '--grpc-port', '0', '--state', state, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    up.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((resolve) => up.once('exit', resolve));
    expect(code).toBe(2);
    if (typeof message === 'string') expect(err.trim()).toBe(`gsched: ${message}`);
    else expect(err.trim().replace(/^gsched: /, '')).toMatch(message);
  });
});

describe('gsched up --json', () => {
  it('prints where it serves as one JSON line instead of the three status lines', () => {
    const status = { httpUrl: 'http://127.0.0.1:8470', grpcAddress: '127.0.0.1:8471', state: '/srv/var', agents: { connected: 3, total: 3 }, cores: { up: 48, total: 48 }, timeScale: 1, dashboardUrl: 'http://127.0.0.1:8470/#token=abc' };
    expect(JSON.parse(upBanner(status, true))).toEqual(status);
    expect(upBanner(status, true).split('\n')).toHaveLength(2); // one line and its newline
    expect(upBanner(status, false)).toBe('gsched up: http://127.0.0.1:8470 (agents on 127.0.0.1:8471), state /srv/var\ndashboard: http://127.0.0.1:8470/#token=abc\nstatus: 3/3 agents connected, 48/48 cores up, time scale 1; Ctrl-C to stop\n');
  });
});
