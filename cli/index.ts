// Public surface of the CLI for other packages (the benches drive a live cluster through its client).
export { ApiClient, DEFAULT_URL, type ClientConfig, type SubmitResponse, type JobList, type JobDetail, type ClusterResponse, type RunBody, type RunResponse, type AnalysisBody } from './client.js';
export { buildProgram, main } from './main.js';
