// Agent flags: defaults from the cluster config, and clear refusals of bad values.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../common/index.js';
import { SMALL_CLUSTER } from '../scheduler/testing/index.js';
import { AgentConfigError } from './errors.js';
import { parseAgentArgs } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-agent-opts-'));
const tokenFile = join(dir, 'join-token');
writeFileSync(tokenFile, 'secret-token-value\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (...args: string[]) => parseAgentArgs(['--cluster', SMALL_CLUSTER(), '--join-token-file', tokenFile, ...args], loadClusterConfig);

describe('parseAgentArgs', () => {
  it('hosts every node of its container by default, with their resources', () => {
    const f = parse('--container', 'c2');
    expect(f.name).toBe('agent-c2');
    expect(f.nodes).toEqual([
      { name: 'c2-n001', cores: 8, memMb: 32768 },
      { name: 'c2-n002', cores: 8, memMb: 32768 },
    ]);
    expect(f.joinToken).toBe('secret-token-value');
    expect(f.timeScale).toBeNull();
  });

  it('hosts only the nodes named with --nodes', () => {
    expect(parse('--container', 'c1', '--nodes', 'c1-n002', '--name', 'one').nodes.map((n) => n.name)).toEqual(['c1-n002']);
  });

  it.each([
    [['--container', 'c9'], /no such container/],
    [['--container', 'c1', '--nodes', 'c2-n001'], /not a node of container c1/],
    [['--container', 'c1', '--time-scale', '0'], /--time-scale must be a positive number/],
    [['--container', 'c1', '--bogus'], /Unknown option/],
    [[], /--container is required/],
  ])('refuses %j', (args, message) => {
    expect(() => parse(...args)).toThrow(AgentConfigError);
    expect(() => parse(...args)).toThrow(message);
  });

  it('refuses a missing join-token file, naming it', () => {
    expect(() => parseAgentArgs(['--container', 'c1', '--cluster', SMALL_CLUSTER(), '--join-token-file', join(dir, 'absent')], loadClusterConfig)).toThrow(/--join-token-file .*absent/);
  });
});
