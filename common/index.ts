// The bottom layer of gsched's Node side: what the scheduler, the agents, proto, the CLI and the
// benches all use. It may import only the pure core's vocabulary (scheduler/core), nothing else.
export { packageRoot, compiledPath } from './paths.js';
export { GSCHED_VERSION } from './version.js';
export { loadClusterConfig, DEFAULT_CLUSTER_PATH } from './config.js';
export { processLogger, stopOnSignals, LIFELINE_ENV } from './lifeline.js';
export { launchScheduler, launchAgent, spawnReady, LaunchError, SERVER_NODE_ARGS, type Child, type SpawnOptions, type SchedulerLaunch } from './launcher.js';
export { allowedCpus, checkCpuList, cpuCount, lastCpu, CpuListError } from './cpu-affinity.js';
export { renderTable, outputWidth, clip, type Column, type TableOptions } from './table.js';
export { containsCpr, scrubCpr, normalizeCpr, cprPathIn, nestedDeeperThan, scanBody, type BodyScan } from './cpr.js';
export { REDACT, scrubbingDestination } from './redact.js';
export { isLoopback } from './hosts.js';
export { helpRequested } from './help-flag.js';
export { signalName } from './signals.js';
export { percentileSorted } from './stats.js';
export { readStatCpu, readStatNice, type StatCpu } from './proc-stat.js';
export { lowerThreadPriority, nameThread, BACKGROUND_NICE } from './thread-self.js';
export { systemClock, FakeClock, type Clock, type Timer } from './clock.js';
export { Rng, hash2 } from './rng.js';
export { walkChain, chainHeadText, CHAIN_GENESIS, type ChainVerdict, type ChainEntry } from './hash-chain.js';
