// The HTTP client the CLI commands talk to the scheduler through. It turns every way a
// request can go wrong into a CliError with an exit code: 1 the scheduler refused or
// failed, 2 the scheduler says the input is bad, 3 the scheduler cannot be reached.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Static } from 'typebox';
// The route table without its schemas: the CLI does not load TypeBox (see contract/paths/index.ts);
// the reply and body types still come from the contract's schemas, at compile time only.
import { PATHS } from '../contract/paths/index.js';
import type { ROUTES, BodyOf, JobState, ReplyOf, Role as RoleSchema, RouteName } from '../contract/index.js';
import { CliError } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:8470';
export const DEFAULT_STATE_DIR = './var';
export const DEFAULT_TIMEOUT_MS = 15_000;
/** How often a request over the rate limit (429) is retried after its Retry-After. */
const RATE_LIMIT_RETRIES = 5;
/** OpenSSL's codes for a certificate chain that does not lead to a trusted CA. */
const TLS_TRUST_CODES = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_SIGNATURE_FAILURE|CERT_UNTRUSTED|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)$/;

export interface ConnectionOptions {
  url?: string;
  token?: string;
  /** The state folder; `--state` where the command has no `--state` of its own (queue uses it for job states). */
  state?: string;
  stateDir?: string;
  timeout?: string;
  /** PEM CA bundle to trust for an https URL. */
  ca?: string;
}

export interface ClientConfig {
  baseUrl: string;
  token: string | null;
  timeoutMs: number;
  /** The CA (PEM) that signed the scheduler's HTTPS certificate, if not a public one. */
  ca?: Buffer | null;
}

// Reply types are the contract's (contract/routes.ts): the client cannot drift from the server.
export type SubmitResponse = ReplyOf<typeof ROUTES.submitJob>;
export type JobList = ReplyOf<typeof ROUTES.listJobs>;
/** A job as GET /jobs/:id returns it: the view, the recorded results and, if sent, the scheduler's clock. */
export type JobDetail = ReplyOf<typeof ROUTES.getJob>;
export type ForecastResponse = ReplyOf<typeof ROUTES.forecast>;
export type JobForecastResponse = ReplyOf<typeof ROUTES.jobForecast>;
export type ForecastEntry = ForecastResponse['jobs'][number];
export type TaskResultView = NonNullable<JobDetail['results']>[number];
export type CancelResponse = ReplyOf<typeof ROUTES.cancelJob>;
export type NodeView = ReplyOf<typeof ROUTES.drainNode>;
export type ClusterResponse = ReplyOf<typeof ROUTES.cluster>;
export type JobSpec = BodyOf<typeof ROUTES.submitJob>;
export type Role = Static<typeof RoleSchema>;
export type TokenInfo = ReplyOf<typeof ROUTES.revokeToken>;
export type CreatedToken = ReplyOf<typeof ROUTES.createToken>;
export type ConsentRecordView = ReplyOf<typeof ROUTES.consentOf>;
export type ConsentRequest = BodyOf<typeof ROUTES.recordConsent>;
export type ConsentAction = NonNullable<ConsentRequest['action']>;
export type AuditEntryView = ReplyOf<typeof ROUTES.audit>['entries'][number];
export type AuditVerdict = ReplyOf<typeof ROUTES.auditVerify>;
/** An analysis from a pipeline template, and a sequencing run with what became of each sample. */
export type AnalysisBody = BodyOf<typeof ROUTES.submitAnalysis>;
export type RunBody = BodyOf<typeof ROUTES.submitRun>;
export type RunResponse = ReplyOf<typeof ROUTES.submitRun>;

/** GET /api/v1/jobs filters as the CLI holds them (the query string carries them as text). */
export interface JobQuery {
  state?: JobState[];
  account?: string;
  partition?: string;
  owner?: string;
  /** `12,120,120_3`: these jobs only (an array's own id: every element). */
  jobs?: string;
  limit?: number;
  offset?: number;
}

/** RFC 9457 problem details, as the scheduler sends them. */
interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  field?: string;
}

/**
 * Adds --url, --token, --state-dir (and --state, unless the command uses that name for
 * something else) and --timeout to a command that talks to the scheduler.
 */
export function addConnectionOptions(cmd: Command, { stateFlag = true } = {}): Command {
  const stateHelp = `scheduler state folder holding api-token (env GSCHED_STATE, default ${DEFAULT_STATE_DIR})`;
  cmd
    .option('--url <url>', `scheduler base URL (env GSCHED_URL, default ${DEFAULT_URL})`)
    .option('--token <token>', 'API bearer token (env GSCHED_TOKEN, default: the file <state>/api-token)');
  if (stateFlag) cmd.option('--state <dir>', stateHelp);
  return cmd
    .option('--state-dir <dir>', stateFlag ? 'same as --state' : stateHelp)
    .option('--timeout <seconds>', `give up on a request after this many seconds (default ${DEFAULT_TIMEOUT_MS / 1000})`)
    .option('--ca <file>', 'CA certificate to trust for an https URL (env GSCHED_CA, default: <state>/ca.pem if there)');
}

/** Resolves flags, then environment, then defaults; the token file is read only when no token is given. */
export function resolveClientConfig(opts: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  // An empty variable counts as unset, as in most shells' ${VAR:-default}.
  const fromEnv = (name: string): string | undefined => env[name] || undefined;
  const rawUrl = opts.url ?? fromEnv('GSCHED_URL') ?? DEFAULT_URL;
  let baseUrl: string;
  try {
    const u = new URL(rawUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    baseUrl = u.href.replace(/\/+$/, '');
  } catch {
    throw new CliError(`--url ${rawUrl}: expected an http(s) URL like ${DEFAULT_URL}`, 2);
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (opts.timeout !== undefined) {
    const s = Number(opts.timeout);
    if (!Number.isFinite(s) || s <= 0) throw new CliError(`--timeout ${opts.timeout}: expected a number of seconds above 0`, 2);
    timeoutMs = Math.round(s * 1000);
  }
  const stateDir = opts.stateDir ?? opts.state ?? fromEnv('GSCHED_STATE') ?? DEFAULT_STATE_DIR;
  const token = opts.token ?? fromEnv('GSCHED_TOKEN') ?? readTokenFile(stateDir);
  let ca: Buffer | null = null;
  const caPath = opts.ca ?? fromEnv('GSCHED_CA') ?? (baseUrl.startsWith('https:') && existsSync(join(stateDir, 'ca.pem')) ? join(stateDir, 'ca.pem') : undefined);
  if (caPath !== undefined) {
    try {
      ca = readFileSync(caPath);
    } catch (err) {
      throw new CliError(`--ca ${caPath}: ${(err as Error).message}`, 2);
    }
  }
  return ca === null ? { baseUrl, token, timeoutMs } : { baseUrl, token, timeoutMs, ca };
}

function readTokenFile(stateDir: string): string | null {
  try {
    const t = readFileSync(join(stateDir, 'api-token'), 'utf8').trim();
    return t === '' ? null : t;
  } catch {
    return null; // no file: the server's 401 says so, with a hint (see ApiClient.fail)
  }
}

export class ApiClient {
  constructor(readonly config: ClientConfig) {}

  static fromOptions(opts: ConnectionOptions): ApiClient {
    return new ApiClient(resolveClientConfig(opts));
  }

  /**
   * Submits with an Idempotency-Key, and retries with the same key when the scheduler could
   * not be reached or did not answer: a retry of a submit that did arrive returns its first
   * answer rather than making a second job.
   */
  async submit(spec: JobSpec, retries = 2): Promise<SubmitResponse> {
    const key = randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call('submitJob', {}, spec, undefined, { 'idempotency-key': key });
      } catch (err) {
        if (!(err instanceof CliError) || err.exitCode !== 3 || attempt >= retries) throw err;
        await new Promise((r) => setTimeout(r, 250 * 4 ** attempt));
      }
    }
  }
  submitAnalysis(body: AnalysisBody): Promise<SubmitResponse> {
    return this.call('submitAnalysis', {}, body);
  }
  submitRun(body: RunBody): Promise<RunResponse> {
    return this.call('submitRun', {}, body);
  }
  listJobs(q: JobQuery = {}): Promise<JobList> {
    const p = new URLSearchParams();
    if (q.state && q.state.length > 0) p.set('state', q.state.join(','));
    if (q.account) p.set('account', q.account);
    if (q.partition) p.set('partition', q.partition);
    if (q.owner) p.set('owner', q.owner);
    if (q.jobs) p.set('jobs', q.jobs);
    if (q.limit !== undefined) p.set('limit', String(q.limit));
    if (q.offset !== undefined) p.set('offset', String(q.offset));
    return this.call('listJobs', {}, undefined, p);
  }
  /** Every job matching `q`, following the server's pages, with the scheduler's clock if it sent one. */
  async allJobs(q: Omit<JobQuery, 'limit' | 'offset'> = {}, pageSize = 1000): Promise<{ jobs: JobDetail[]; now: number | null }> {
    const jobs: JobDetail[] = [];
    let now: number | null = null;
    for (let offset = 0; ; ) {
      const page = await this.listJobs({ ...q, limit: pageSize, offset });
      now ??= typeof page.now === 'number' ? page.now : null;
      jobs.push(...page.jobs);
      offset += page.jobs.length;
      if (page.jobs.length === 0 || offset >= page.total) return { jobs, now };
    }
  }
  /** Expected start and end of every open job, from the scheduler's twin (squeue --start). */
  forecast(q: Pick<JobQuery, 'account' | 'partition' | 'owner'> = {}): Promise<ForecastResponse> {
    const p = new URLSearchParams();
    if (q.account) p.set('account', q.account);
    if (q.partition) p.set('partition', q.partition);
    if (q.owner) p.set('owner', q.owner);
    return this.call('forecast', {}, undefined, p);
  }
  jobForecast(id: string): Promise<JobForecastResponse> {
    return this.call('jobForecast', { id });
  }
  getJob(id: string): Promise<JobDetail> {
    return this.call('getJob', { id });
  }
  cancel(id: string): Promise<CancelResponse> {
    return this.call('cancelJob', { id });
  }
  /** Every node and the drain/down reasons (sinfo -R). */
  nodeList(): Promise<ReplyOf<typeof ROUTES.listNodes>> {
    return this.call('listNodes');
  }
  async nodes(): Promise<NodeView[]> {
    return (await this.call('listNodes')).nodes;
  }
  drain(node: string, reason?: string, by?: string): Promise<NodeView> {
    return this.call('drainNode', { name: node }, { ...(reason === undefined ? {} : { reason }), ...(by ? { by } : {}) });
  }
  down(node: string, reason: string, by?: string): Promise<NodeView> {
    return this.call('downNode', { name: node }, { reason, ...(by ? { by } : {}) });
  }
  resume(node: string): Promise<NodeView> {
    return this.call('resumeNode', { name: node }, {});
  }
  cluster(): Promise<ClusterResponse> {
    return this.call('cluster');
  }
  /** The id of a job given as `120_3` (or `12`); null when the scheduler knows no such job. */
  async jobIdOf(displayId: string): Promise<number | null> {
    try {
      return (await this.getJob(displayId)).id;
    } catch (err) {
      if (err instanceof CliError && err.code === 'UNKNOWN_JOB') return null;
      throw err;
    }
  }
  /** The identity of the token in use: the owner of the jobs it submits (`--me`). */
  async whoami(): Promise<string> {
    return (await this.call('whoami')).name;
  }

  /** Calls a route of the contract by name: its path with `params` filled in, its method, its reply type. */
  call<N extends RouteName>(name: N, params: Record<string, string> = {}, body?: unknown, query?: URLSearchParams, headers: Record<string, string> = {}): Promise<ReplyOf<(typeof ROUTES)[N]>> {
    const route = PATHS[name];
    const path = route.url.replace(/:(\w+)/g, (_m, param: string) => {
      const v = params[param];
      if (v === undefined) throw new Error(`${route.url} needs ${param}`);
      return encodeURIComponent(v);
    });
    const qs = query?.toString() ?? '';
    return this.request<ReplyOf<(typeof ROUTES)[N]>>(route.method, qs === '' ? path : `${path}?${qs}`, body, headers).catch((err: unknown) => {
      // What the path names was refused (no such reservation): the request failed, like scancel
      // of an unknown job (exit 1); bad usage (exit 2) is for what the user typed wrongly.
      if (err instanceof CliError && err.exitCode === 2 && err.field !== undefined && Object.hasOwn(params, err.field)) throw new CliError(err.message, 1, err.code, err.field);
      throw err;
    });
  }
  createToken(spec: BodyOf<typeof ROUTES.createToken>): Promise<CreatedToken> {
    return this.call('createToken', {}, spec);
  }
  async tokens(): Promise<TokenInfo[]> {
    return (await this.call('listTokens')).tokens;
  }
  revokeToken(id: string): Promise<TokenInfo> {
    return this.call('revokeToken', { id });
  }
  consent(req: ConsentRequest): Promise<ReplyOf<typeof ROUTES.recordConsent>> {
    return this.call('recordConsent', {}, req);
  }
  consentOf(pseudonym: string): Promise<ConsentRecordView> {
    return this.call('consentOf', { pseudonym });
  }
  audit(q: { pseudonym?: string; since?: string; after?: number; limit?: number } = {}): Promise<ReplyOf<typeof ROUTES.audit>> {
    const p = new URLSearchParams();
    if (q.pseudonym) p.set('pseudonym', q.pseudonym);
    if (q.since) p.set('since', q.since);
    if (q.after !== undefined) p.set('after', String(q.after));
    if (q.limit !== undefined) p.set('limit', String(q.limit));
    return this.call('audit', {}, undefined, p);
  }
  auditVerify(): Promise<AuditVerdict> {
    return this.call('auditVerify');
  }

  async request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...extraHeaders };
    if (this.config.token !== null) headers.authorization = `Bearer ${this.config.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    let retryAfter: string | null;
    const payload = body === undefined ? null : JSON.stringify(body);
    // Over the token's rate limit: wait as Retry-After says (a few times, a few seconds at most).
    for (let tries = 0; ; tries++) {
      try {
        ({ status, text, retryAfter } = await this.send(method, path, headers, payload));
      } catch (err) {
        throw this.unreachable(err);
      }
      const wait = Number(retryAfter);
      if (status !== 429 || tries >= RATE_LIMIT_RETRIES || !(wait >= 0 && wait <= 5)) break;
      await new Promise((r) => setTimeout(r, Math.max(100, wait * 1000)));
    }
    if (status < 200 || status >= 300) throw this.fail(status, text, retryAfter);
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      throw new CliError(`the scheduler at ${this.config.baseUrl} sent a reply that is not JSON (${method} ${path})`, 1);
    }
  }

  /** fetch, or node:https when a private CA must be trusted (fetch cannot be given one here). */
  private async send(method: string, path: string, headers: Record<string, string>, body: string | null): Promise<{ status: number; text: string; retryAfter: string | null }> {
    const url = this.config.baseUrl + path;
    const ca = this.config.ca;
    if (!ca || !url.startsWith('https:')) {
      const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.config.timeoutMs) });
      return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method, headers, ca, signal: AbortSignal.timeout(this.config.timeoutMs) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ra = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: typeof ra === 'string' ? ra : null });
        });
        res.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) => reject(err.name === 'AbortError' ? err : Object.assign(new Error(err.message), { cause: { code: err.code } })));
      if (body !== null) req.write(body);
      req.end();
    });
  }

  private unreachable(err: unknown): CliError {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return new CliError(`the scheduler at ${this.config.baseUrl} did not answer within ${this.config.timeoutMs / 1000} s`, 3);
    }
    const code = e.cause?.code;
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      return new CliError(`the scheduler's certificate at ${this.config.baseUrl} is not made out to that host name (${code}): use a name it was made for, or remake it with gsched certs init --host NAME`, 3);
    }
    if (code !== undefined && TLS_TRUST_CODES.test(code)) {
      return new CliError(`the scheduler's certificate at ${this.config.baseUrl} is not signed by a CA this CLI trusts (${code}): pass --ca FILE or set GSCHED_CA to the ca.pem of gsched certs init`, 3);
    }
    const why = code && code !== 'ECONNREFUSED' ? ` (${code})` : '';
    // A TLS server hangs up on a request in clear: the likeliest cause of a reset on http:.
    const hint = this.config.baseUrl.startsWith('http:') && code !== undefined && code !== 'ECONNREFUSED' ? '; if it serves HTTPS (gsched up --tls), use an https: URL' : '';
    return new CliError(`cannot reach the scheduler at ${this.config.baseUrl}${why}: is it running? (npm start)${hint}`, 3);
  }

  private fail(status: number, text: string, retryAfter: string | null = null): CliError {
    let problem: Problem = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) problem = parsed as Problem;
    } catch {
      // not problem+json (a proxy, or a crash page): fall back to the status line below
    }
    let detail = problem.detail ?? problem.title ?? `HTTP ${status}`;
    const badInput = status === 400 || status === 422;
    if (badInput && problem.field && !detail.includes(problem.field)) detail = `${problem.field}: ${detail}`;
    if (status === 401) {
      const how = this.config.token === null ? 'no API token found' : 'the API token was refused';
      return new CliError(`the scheduler refused the request: ${how} (pass --token, set GSCHED_TOKEN, or point --state at the scheduler's state folder)`, 1);
    }
    if (status === 403) return new CliError(`the scheduler refused the request: ${detail}`, 1);
    if (status === 429) return new CliError(`${detail}${retryAfter !== null && !detail.includes('retry') ? ` (retry after ${retryAfter} s)` : ''}`, 1);
    // 400/422: the input is wrong, like bad usage; everything else is a failed request.
    return new CliError(detail, badInput ? 2 : 1, problem.code, problem.field);
  }
}

/**
 * A new viewer token named `dashboard` for the web dashboard (read-only, no pseudonyms), for
 * `gsched up` to hand to the browser in a URL fragment. Earlier dashboard tokens are revoked,
 * so restarts do not pile them up.
 */
export async function dashboardToken(admin: ApiClient): Promise<string> {
  for (const t of await admin.tokens()) {
    if (t.name === 'dashboard' && t.role === 'viewer' && t.revokedAt === null) await admin.revokeToken(t.id);
  }
  return (await admin.createToken({ role: 'viewer', name: 'dashboard' })).token;
}
