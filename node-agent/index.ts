// Public surface of the node agent.
export { NodeAgent, AGENT_VERSION, type AgentOptions } from './agent.js';
export { createKernelPool, type KernelPool, type KernelMode, type KernelPoolOptions } from './pool.js';
export { parseAgentArgs, USAGE, type AgentFlags } from './options.js';
export type { KernelRequest, KernelResult } from './kernel-types.js';
export { AgentConfigError, AgentRejectedError } from './errors.js';
