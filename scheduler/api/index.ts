// Public surface of the scheduler's HTTP API.
export { buildApi, registeredRoutes, type ApiOptions } from './server.js';
export { SchedulerMetrics } from './metrics.js';
export { ApiProblem, rejection, problemBody, type ProblemBody } from './errors.js';
export { parseJobQuery, listJobs, type JobQuery } from './jobs-query.js';
