// Public surface of the scheduling core. Other packages import from here only.
export * from './types.js';
export { ConfigError } from './errors.js';
export { parseClusterConfig, flatClusterConfig, type ClusterFile } from './config.js';
