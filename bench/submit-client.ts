// A lean submitter for bench:live's one-job-per-POST runs: the same request the CLI makes
// (POST /api/v1/jobs over HTTP/1.1, bearer token, JSON body, a fresh Idempotency-Key per job)
// on one keep-alive TCP connection per client, one request at a time: the next POST is sent
// only after the whole answer to the last one was read. The load generator shares the two
// cores with the scheduler, so it writes the request bytes and reads the status line,
// Content-Length and body itself, like wrk does, instead of going through an HTTP library:
// fetch cost about 1.5 ms of CPU per job, node:http about 0.18 ms (measured under bench:live's
// load), which the scheduler then could not have.
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { socketHost } from './url-host.js';
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

interface Pending {
  resolve(v: { jobIds: number[] }): void;
  reject(err: Error): void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export class SubmitClient {
  private readonly host: string;
  private readonly port: number;
  private readonly head: string;
  private socket: Socket | null = null;
  private pending: Pending | null = null;
  private buf: Buffer = Buffer.alloc(0);

  /** `url` is the scheduler's http:// base URL. */
  constructor(url: string, token: string) {
    const u = new URL(url);
    if (u.protocol !== 'http:') throw new Error(`SubmitClient speaks plain HTTP only, not ${u.protocol} (${url})`);
    this.host = socketHost(u);
    this.port = Number(u.port || 80);
    this.head = `POST /api/v1/jobs HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n`;
  }

  /** POSTs one job and resolves with its job ids once the scheduler answered 201. */
  submit(spec: JobSpec): Promise<{ jobIds: number[] }> {
    return this.submitJson(JSON.stringify(spec));
  }

  /** As submit, with the job already as JSON text (a load generator makes it from a template). */
  submitJson(body: string): Promise<{ jobIds: number[] }> {
    if (this.pending !== null) return Promise.reject(new Error('SubmitClient sends one request at a time'));
    const req = `${this.head}Idempotency-Key: ${randomUUID()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.connection().write(req);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  private connection(): Socket {
    if (this.socket !== null) return this.socket;
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    s.on('data', (chunk: Buffer) => this.read(chunk));
    // Only the live connection fails the request in flight (one this client closed is done).
    const lost = (err?: Error): void => {
      if (this.socket !== s) return;
      this.socket = null;
      this.buf = Buffer.alloc(0);
      this.fail(err ?? new Error('the scheduler closed the connection before it answered'));
    };
    s.on('error', lost);
    s.on('close', () => lost());
    this.socket = s;
    return s;
  }

  private fail(err: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(err);
  }

  /** Collects one answer: status line and headers, then Content-Length bytes of body. */
  private read(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf(HEAD_END);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const status = Number(head.slice(9, 12));
    const len = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (len === null) {
      this.close();
      return this.fail(new SubmitError(status, `an answer without Content-Length (this client reads no chunked bodies): ${head}`));
    }
    const total = end + 4 + Number(len[1]);
    if (this.buf.length < total) return;
    const text = this.buf.toString('utf8', end + 4, total);
    const extra = this.buf.length > total;
    this.buf = Buffer.alloc(0);
    if (extra) {
      this.close();
      return this.fail(new SubmitError(status, 'bytes after the answer to a request not yet sent'));
    }
    if (/\r\nconnection: *close/i.test(head)) this.close();
    const p = this.pending;
    this.pending = null;
    if (p === null) return;
    if (status !== 201) return p.reject(new SubmitError(status, text));
    try {
      p.resolve(JSON.parse(text) as { jobIds: number[] });
    } catch {
      p.reject(new SubmitError(201, `not JSON: ${text}`));
    }
  }
}
