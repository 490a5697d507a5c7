// Transport security as a new user meets it: `gsched certs init` makes a CA and certificates,
// `gsched up --tls` serves the HTTP API over HTTPS (and gRPC with mutual TLS) with them, and the
// CLI trusts only that CA; serving a non-loopback address in clear is refused unless --insecure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledPath, launchScheduler, packageRoot, type Child } from '../common/index.js';
import { runCli, startGschedUp, type CliRun, type GschedUp } from './testing/index.js';

const CLUSTER = join(packageRoot(), 'scheduler', 'testing', 'cluster.small.json');
const tmp = mkdtempSync(join(tmpdir(), 'gsched-certs-'));
const certs = join(tmp, 'certs');
const otherCa = join(tmp, 'other');
const base = { PATH: process.env.PATH, HOME: process.env.HOME };

const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });

/** The scheduler process itself, run to its exit (for flags it refuses). */
function schedulerExit(args: string[]): { code: number | null; stderr: string } {
  try {
    execFileSync(process.execPath, [compiledPath('scheduler/main.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { status: number | null; stderr: Buffer };
    return { code: e.status, stderr: e.stderr.toString() };
  }
}

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('gsched certs init', () => {
  it('makes a CA, a server certificate for the scheduler\'s names and an agent client certificate, keys owner-only', async () => {
    const r = await runCli(['certs', 'init', certs, '--host', 'sched.example.org', '--host', '10.0.0.7', '--json'], base);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      dir: certs,
      ca: join(certs, 'ca.pem'),
      serverCert: join(certs, 'server.pem'),
      serverKey: join(certs, 'server.key'),
      agentCert: join(certs, 'agent.pem'),
      agentKey: join(certs, 'agent.key'),
    });
    for (const k of ['ca.key', 'server.key', 'agent.key']) expect(statSync(join(certs, k)).mode & 0o777, k).toBe(0o600);
    // Both leaves chain to the CA, each for its own purpose.
    expect(openssl('verify', '-CAfile', join(certs, 'ca.pem'), '-purpose', 'sslserver', join(certs, 'server.pem'))).toMatch(/server\.pem: OK/);
    expect(openssl('verify', '-CAfile', join(certs, 'ca.pem'), '-purpose', 'sslclient', join(certs, 'agent.pem'))).toMatch(/agent\.pem: OK/);
    const san = openssl('x509', '-in', join(certs, 'server.pem'), '-noout', '-ext', 'subjectAltName');
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:sched.example.org', 'IP Address:10.0.0.7']) expect(san).toContain(name);
    expect(openssl('x509', '-in', join(certs, 'ca.pem'), '-noout', '-ext', 'basicConstraints')).toMatch(/CA:TRUE/);
  });

  it('will not overwrite a CA without --force, and refuses a bad --host', async () => {
    const again = await runCli(['certs', 'init', certs], base);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/ca\.pem exists already: choose another folder or pass --force/);
    const bad = await runCli(['certs', 'init', join(tmp, 'x'), '--host', 'a b;rm'], base);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--host "a b;rm" is not a host name or address/);
  });
});

describe('gsched up --tls', () => {
  let live: GschedUp;
  let env: NodeJS.ProcessEnv;
  const gsched = (args: string[], over: NodeJS.ProcessEnv = {}): Promise<CliRun> => runCli(args, { ...env, ...over });

  beforeAll(async () => {
    const made = await runCli(['certs', 'init', otherCa], base);
    expect(made.code, made.stderr).toBe(0);
    live = await startGschedUp({ cluster: CLUSTER, timeScale: 0.001, args: ['--tls', certs, '--kernels', 'noop'] });
    env = { ...base, GSCHED_URL: live.httpUrl, GSCHED_STATE: live.state };
  }, 90_000);
  afterAll(async () => {
    await live?.stop();
  });

  it('serves the API over HTTPS, and its agents join over mutual TLS', () => {
    expect(live.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(live.banner).toMatch(/^status: 3\/3 agents connected, 48\/48 cores up/m);
    expect(live.banner).toMatch(/^dashboard: https:\/\/127\.0\.0\.1:\d+\/#token=/m);
  });

  it('the CLI trusts the CA in the state folder, or the one --ca / GSCHED_CA names', async () => {
    const fromState = await gsched(['nodes']);
    expect(fromState.code, fromState.stderr).toBe(0);
    expect(fromState.stdout).toMatch(/^c1\s+std\s+idle/m);
    // Another machine: no state folder, a token and the CA file.
    const elsewhere = { GSCHED_STATE: tmp, GSCHED_TOKEN: live.token };
    const byFlag = await gsched(['queue', '--ca', join(certs, 'ca.pem')], elsewhere);
    expect(byFlag.code, byFlag.stderr).toBe(0);
    const byEnv = await gsched(['queue'], { ...elsewhere, GSCHED_CA: join(certs, 'ca.pem') });
    expect(byEnv.code, byEnv.stderr).toBe(0);
  });

  it('refuses a scheduler whose certificate another CA signed, or none it knows, saying so', async () => {
    const elsewhere = { GSCHED_STATE: tmp, GSCHED_TOKEN: live.token };
    for (const over of [{ ...elsewhere, GSCHED_CA: join(otherCa, 'ca.pem') }, elsewhere]) {
      const r = await gsched(['queue'], over);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/the scheduler's certificate at https:\/\/127\.0\.0\.1:\d+ is not signed by a CA this CLI trusts \([A-Z_]+\): pass --ca FILE or set GSCHED_CA to the ca\.pem of gsched certs init/);
    }
    // The same port in clear: refused, not a hang.
    const plain = await gsched(['queue'], { GSCHED_URL: live.httpUrl.replace('https:', 'http:') });
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/cannot reach the scheduler at http:\/\/127\.0\.0\.1:\d+.*https:/);
  });
});

describe('binding beyond loopback', () => {
  it('gsched up refuses a non-loopback --host without TLS, naming both ways out', async () => {
    const r = await runCli(['up', '--host', '0.0.0.0', '--http-port', '0', '--grpc-port', '0', '--state', join(tmp, 'refused'), '--cluster', CLUSTER], base);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 is reachable from other machines: serve it with TLS \(gsched certs init DIR, then --tls DIR\), or pass --insecure/);
  });

  it('the scheduler refuses it too, whoever starts it', () => {
    const r = schedulerExit(['--host', '0.0.0.0', '--http-port', '0', '--grpc-port', '0', '--state', join(tmp, 'refused'), '--cluster', CLUSTER]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 is reachable from other machines.*pass --tls-cert\/--tls-key \(see gsched certs init\), or --insecure/);
  });

  it('serves it in clear with --insecure, and says so in its log', async () => {
    const state = join(tmp, 'insecure');
    let sched: Child | null = null;
    try {
      const s = await launchScheduler(['--host', '0.0.0.0', '--insecure', '--http-port', '0', '--grpc-port', '0', '--state', state, '--cluster', CLUSTER, '--log-level', 'warn'], join(tmp, 'insecure.log'));
      sched = s.child;
      expect(s.httpUrl).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const port = s.httpUrl.split(':').pop() as string;
      const r = await runCli(['nodes', '--url', `http://127.0.0.1:${port}`, '--state', state], base);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^c1\s+std\s+down/m);
    } finally {
      await sched?.stop(2000);
    }
    expect(execFileSync('cat', [join(tmp, 'insecure.log')], { encoding: 'utf8' })).toMatch(/"level":40.*serving beyond loopback without TLS \(--insecure\)/);
  });
});
