// Public surface of the scheduler's HTTP API.
export { buildApi, apiRoutes, registeredRoutes, type ApiOptions, type ApiRoute } from './server.js';
export { installAuth, mayAccessAccount, DEFAULT_RATE_LIMIT } from './auth.js';
export { SchedulerMetrics } from './metrics.js';
export type { SnapshotSource } from './metrics-snapshot.js';
export { ApiProblem, rejection, problemBody, type ProblemBody } from './errors.js';
export { parseJobQuery, listJobs, type JobQuery } from './jobs-query.js';
