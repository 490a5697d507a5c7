import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../common/index.js';
import { parseClusterConfig } from './config.js';
import { ConfigError } from './errors.js';

const raw = (): Record<string, unknown> => JSON.parse(readFileSync(join(packageRoot(), 'scheduler/config/cluster.default.json'), 'utf8'));

describe('cluster config', () => {
  it('the bundled default is three containers of about 17,000 cores, ~70% warm-water cooled', () => {
    const cfg = parseClusterConfig(raw());
    const cores = cfg.nodes.reduce((s, n) => s + n.cores, 0);
    expect(cores).toBeGreaterThanOrEqual(16_900);
    expect(cores).toBeLessThanOrEqual(17_300);
    expect(new Set(cfg.nodes.map((n) => n.container))).toEqual(new Set(['c1', 'c2', 'c3']));
    const warm = cfg.nodes.filter((n) => n.cooling === 'warm-water').length / cfg.nodes.length;
    expect(warm).toBeGreaterThan(0.65);
    expect(warm).toBeLessThan(0.75);
    expect(new Set(cfg.nodes.map((n) => n.kind))).toEqual(new Set(['std', 'highmem']));
    expect(cfg.nodes.every((n) => n.busyWatts > n.idleWatts)).toBe(true);
  });

  const refused = (mutate: (c: Record<string, any>) => void): ConfigError => {
    const c = raw();
    mutate(c);
    try {
      parseClusterConfig(c);
    } catch (e) {
      if (e instanceof ConfigError) return e;
      throw e;
    }
    throw new Error('expected the config to be refused');
  };

  it('refuses invalid values naming the field, the value and what was expected', () => {
    const e = refused((c) => (c.nodeKinds[0].cores = -4));
    expect(e.field).toBe('nodeKinds[0].cores');
    expect(e.message).toBe('invalid cluster config: nodeKinds[0].cores is -4, expected an integer from 1 to 4096');
    expect(refused((c) => (c.containers[1].groups[0].kind = 'gpu')).message).toContain('one of the nodeKinds (std, highmem)');
    expect(refused((c) => (c.scheduler.policy = 'lottery')).field).toBe('scheduler.policy');
    expect(refused((c) => (c.scheduler.maxStartsPerPass = 0)).message).toBe('invalid cluster config: scheduler.maxStartsPerPass is 0, expected an integer from 1 to 1000000');
    expect(refused((c) => (c.accounts[1].parent = 'nowhere')).field).toBe('accounts[1].parent');
    expect(refused((c) => c.accounts.push({ name: 'x', parent: 'y', shares: 1 }, { name: 'y', parent: 'x', shares: 1 })).message).toContain('without a cycle');
    expect(refused((c) => (c.partitions[0].defaultTimeMs = c.partitions[0].maxTimeMs + 1)).field).toBe('partitions[0].defaultTimeMs');
    expect(refused((c) => delete c.qos).field).toBe('qos');
    expect(refused((c) => (c.containers = [])).field).toBe('containers');
  });
});
