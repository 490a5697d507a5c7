// Public surface of the scheduler's agent side.
export { AgentHub, type AgentInfo, type HubOptions } from './hub.js';
export { AgentRefused } from './errors.js';
