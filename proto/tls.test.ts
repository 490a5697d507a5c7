// Mutual TLS between real processes: an agent with a certificate from the cluster's CA joins;
// one without a client certificate cannot.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledPath, packageRoot } from '../common/index.js';
import { LiveCluster, SMALL_CLUSTER, waitFor } from '../scheduler/testing/index.js';

const tls = (f: string): string => join(packageRoot(), 'scheduler', 'testing', 'tls', f);
const cluster = new LiveCluster({ schedulerArgs: ['--tls-cert', tls('server.pem'), '--tls-key', tls('server.key'), '--tls-ca', tls('ca.pem')] });

beforeAll(async () => {
  await cluster.startScheduler();
});
afterAll(async () => {
  await cluster.stop();
});

describe('mutual TLS', () => {
  it('registers an agent that presents a certificate signed by the CA', async () => {
    await cluster.startAgent('c1', ['--tls-ca', tls('ca.pem'), '--tls-cert', tls('agent.pem'), '--tls-key', tls('agent.key')]);
    const c = await cluster.api<{ agents: { name: string; connected: boolean }[] }>('GET', '/api/v1/cluster');
    expect(c.body.agents).toEqual([expect.objectContaining({ name: 'agent-c1', connected: true })]);
  });

  it('keeps out an agent without a client certificate', async () => {
    const proc = spawn(process.execPath, [compiledPath('node-agent/main.ts'), '--scheduler', cluster.grpcAddress, '--container', 'c2', '--cluster', SMALL_CLUSTER(), '--join-token-file', join(cluster.state, 'join-token'), '--tls-ca', tls('ca.pem'), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'ignore'] });
    try {
      // It keeps retrying (a handshake failure may be transient), but never registers.
      await new Promise((r) => setTimeout(r, 1500));
      const c = await cluster.api<{ agents: { name: string }[] }>('GET', '/api/v1/cluster');
      expect(c.body.agents.map((a) => a.name)).toEqual(['agent-c1']);
      expect(proc.exitCode).toBeNull();
    } finally {
      proc.kill('SIGTERM');
      await waitFor('the agent to stop', () => proc.exitCode !== null || proc.signalCode !== null);
    }
  });
});
