// A lean submitter for bench:live's one-job-per-POST runs: the same request the CLI makes
// (POST /api/v1/jobs, bearer token, JSON body, a fresh Idempotency-Key per job) over a
// keep-alive node:http connection, without fetch's per-request machinery (AbortSignal, web
// streams, transferable bodies). With fetch the load generator spent about 1.5 ms of CPU per
// job, as much as a third of the two shared cores, and measured itself more than the scheduler.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { JobSpec } from '../scheduler/core/index.js';

export class SubmitError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`POST /api/v1/jobs answered HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = 'SubmitError';
  }
}

export class SubmitClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  /** `url` is the scheduler's http:// base URL; one keep-alive connection per request in flight. */
  constructor(
    url: string,
    private readonly token: string,
    maxSockets = 1,
  ) {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new Error(`SubmitClient speaks plain HTTP only, not ${u.protocol} (${url})`);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** POSTs one job and resolves with its job ids once the scheduler answered 201. */
  submit(spec: JobSpec): Promise<{ jobIds: number[] }> {
    const body = JSON.stringify(spec);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method: 'POST',
          path: '/api/v1/jobs',
          agent: this.agent,
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'idempotency-key': randomUUID(),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => {
            if (res.statusCode !== 201) return reject(new SubmitError(res.statusCode ?? 0, text));
            try {
              resolve(JSON.parse(text) as { jobIds: number[] });
            } catch {
              reject(new SubmitError(201, `not JSON: ${text}`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
