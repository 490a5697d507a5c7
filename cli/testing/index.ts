// Test helpers for the CLI: a fake API, the compiled CLI run as a child, `gsched up` as an operator runs it.
export { startFakeApi, fakeJob, fakeNode, type FakeApi } from './fake-api.js';
export { freePort } from './ports.js';
export { runCli, type CliRun } from './run-cli.js';
export { startGschedUp, type GschedUp, type GschedUpOptions } from './gsched-up.js';
