// The HTTP contract between the scheduler and its clients (the CLI, dashboards, scripts):
// schemas, routes and error codes. Depends on TypeBox only (and the core's types, for the
// compile-time agreement check).
export * from './schemas.js';
export { PATHS, type PathName } from './paths/index.js';
export { ROUTES, route, errorsOf, fastifySchema, type RouteSpec, type RouteName, type ReplyOf, type BodyOf, type Method } from './routes.js';
export { ERRORS, HTTP_TITLES, isErrorCode, type ErrorCode, type ErrorEntry, type GrpcStatus } from './errors.js';
export { agreement } from './core-types.js';
export { openApiDocument, openApiPath } from './openapi.js';
export { DashboardStats, CoreTotals, ContainerStats, PassStats } from './stats.js';
