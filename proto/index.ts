// Public surface of the agent protocol: message shapes, the run-time loader, credentials.
export * from './messages.js';
export { loadAgentProtocol, openAgentStream, PROTO_PATH, LOADER_OPTIONS, type AgentProtocol, type AgentStream, type SchedulerSideStream } from './load.js';
export { serverCredentials, channelCredentials, tlsEnabled, tlsFilesFrom, TLS_ARG_OPTIONS, type TlsFiles } from './tls.js';
export { ProtoLoadError, TlsConfigError } from './errors.js';
