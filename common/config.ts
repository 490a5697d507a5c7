// Reads a cluster configuration file (the edge around the pure parser in scheduler/core).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseClusterConfig, type ClusterConfig } from '../scheduler/core/index.js';
import { packageRoot } from './paths.js';

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
