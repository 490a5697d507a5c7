// Every HTTP route's method and path, by name: the part of the contract a client needs at run
// time. contract/routes.ts builds each route from its entry here (adding schemas, roles and
// errors), so the two cannot disagree. A package of its own, below contract/, so the CLI can
// call through it without loading TypeBox (hundreds of modules, half the CLI's start-up time).
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const PATHS = {
  health: { method: 'GET', url: '/healthz' },
  metrics: { method: 'GET', url: '/metrics' },
  submitJob: { method: 'POST', url: '/api/v1/jobs' },
  submitAnalysis: { method: 'POST', url: '/api/v1/analyses' },
  submitRun: { method: 'POST', url: '/api/v1/runs' },
  listJobs: { method: 'GET', url: '/api/v1/jobs' },
  getJob: { method: 'GET', url: '/api/v1/jobs/:id' },
  forecast: { method: 'GET', url: '/api/v1/forecast' },
  jobForecast: { method: 'GET', url: '/api/v1/jobs/:id/forecast' },
  cancelJob: { method: 'DELETE', url: '/api/v1/jobs/:id' },
  signalJob: { method: 'POST', url: '/api/v1/jobs/:id/signal' },
  holdJob: { method: 'POST', url: '/api/v1/jobs/:id/hold' },
  releaseJob: { method: 'POST', url: '/api/v1/jobs/:id/release' },
  requeueJob: { method: 'POST', url: '/api/v1/jobs/:id/requeue' },
  updateJob: { method: 'PATCH', url: '/api/v1/jobs/:id' },
  topJob: { method: 'POST', url: '/api/v1/jobs/:id/top' },
  accounting: { method: 'GET', url: '/api/v1/accounting' },
  usageReport: { method: 'GET', url: '/api/v1/reports/usage' },
  fairshare: { method: 'GET', url: '/api/v1/fairshare' },
  listNodes: { method: 'GET', url: '/api/v1/nodes' },
  drainNode: { method: 'POST', url: '/api/v1/nodes/:name/drain' },
  resumeNode: { method: 'POST', url: '/api/v1/nodes/:name/resume' },
  downNode: { method: 'POST', url: '/api/v1/nodes/:name/down' },
  listReservations: { method: 'GET', url: '/api/v1/reservations' },
  createReservation: { method: 'POST', url: '/api/v1/reservations' },
  deleteReservation: { method: 'DELETE', url: '/api/v1/reservations/:name' },
  reconfigure: { method: 'POST', url: '/api/v1/reconfigure' },
  cluster: { method: 'GET', url: '/api/v1/cluster' },
  whoami: { method: 'GET', url: '/api/v1/whoami' },
  recordConsent: { method: 'POST', url: '/api/v1/consent' },
  consentOf: { method: 'GET', url: '/api/v1/consent/:pseudonym' },
  createToken: { method: 'POST', url: '/api/v1/tokens' },
  listTokens: { method: 'GET', url: '/api/v1/tokens' },
  revokeToken: { method: 'DELETE', url: '/api/v1/tokens/:id' },
  audit: { method: 'GET', url: '/api/v1/audit' },
  auditVerify: { method: 'GET', url: '/api/v1/audit/verify' },
  events: { method: 'GET', url: '/api/v1/events' },
  stats: { method: 'GET', url: '/api/v1/stats' },
  dashboardPage: { method: 'GET', url: '/' },
  dashboardAsset: { method: 'GET', url: '/dashboard/:file' },
  docsPage: { method: 'GET', url: '/docs' },
  openApi: { method: 'GET', url: '/docs/openapi.json' },
  docsAsset: { method: 'GET', url: '/docs/assets/:file' },
} as const satisfies Record<string, { method: Method; url: string }>;

export type PathName = keyof typeof PATHS;
