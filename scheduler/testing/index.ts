// Test helpers for a real scheduler and real agents on loopback (used by tests across packages).
export { LiveCluster, SMALL_CLUSTER, waitFor, testJob, type LiveClusterOptions } from './live-cluster.js';
export { requestJson, type JsonResponse } from './http.js';
export { closeApiStack, openApiStack, type ApiStack } from './api-stack.js';
export { cprShapedAround } from './cpr-scan.js';
export { openHubStack, closeHubStack, type HubStack, type HubStackOptions } from './hub-stack.js';
export { groupsDuring } from './journal-groups.js';
export { openFakeScheduler, testAssignment, type FakeScheduler } from './fake-scheduler.js';
