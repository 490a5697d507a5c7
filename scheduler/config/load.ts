// Reads a cluster configuration file (the edge around the pure parser in scheduler/core).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, parseClusterConfig, type ClusterConfig } from '../core/index.js';

/** The folder holding gsched's package.json, whether running from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scheduler'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the gsched package root');
    dir = up;
  }
}

export const DEFAULT_CLUSTER_PATH = (): string => join(packageRoot(), 'scheduler', 'config', 'cluster.default.json');

export function loadClusterConfig(path: string = DEFAULT_CLUSTER_PATH()): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('file', path, `a readable file (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('file', path, `valid JSON (${(err as Error).message})`);
  }
  return parseClusterConfig(raw);
}
