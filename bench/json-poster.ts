// POSTs JSON to the scheduler over keep-alive node:http connections, for bench:ngc's consent
// and intake (tens of thousands of requests). The CLI's ApiClient uses fetch, which cost the
// client about 1.5 ms of CPU a request here against about 0.2 for node:http (bench/submit-
// client.ts measured both); bench:ngc's load generator shares the two cores with the
// scheduler and its agents, whose modelled clock runs on meanwhile.
import { Agent, request } from 'node:http';
import { socketHost } from './url-host.js';

export class PostError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    body: string,
  ) {
    super(`POST ${path} answered HTTP ${status}: ${body.slice(0, 300)}`);
    this.name = 'PostError';
  }
}

export class JsonPoster {
  private readonly agent: Agent;
  private readonly url: URL;
  /** What to connect to (node:http brackets an IPv6 literal again in the Host header). */
  private readonly hostname: string;
  private readonly headers: Record<string, string>;

  /** `url` is the scheduler's http:// base URL; at most `sockets` requests in flight at once. */
  constructor(url: string, token: string, sockets: number, private readonly timeoutMs = 300_000) {
    this.url = new URL(url);
    if (this.url.protocol !== 'http:') throw new Error(`JsonPoster speaks plain HTTP only, not ${this.url.protocol} (${url})`);
    this.hostname = socketHost(this.url);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
    this.headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, application/problem+json' };
  }

  /** POSTs `body` as JSON to `path`; resolves with the parsed 2xx answer, rejects with PostError otherwise. */
  post<T>(path: string, body: unknown): Promise<T> {
    const payload = JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        { host: this.hostname, port: this.url.port, path, method: 'POST', agent: this.agent, headers: { ...this.headers, 'content-length': Buffer.byteLength(payload) }, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(new PostError(path, status, text));
            try {
              resolve((text === '' ? {} : JSON.parse(text)) as T);
            } catch {
              reject(new PostError(path, status, `not JSON: ${text}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`POST ${path}: no answer within ${this.timeoutMs / 1000} s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Closes the kept-alive sockets; safe to call again. */
  close(): void {
    this.agent.destroy();
  }
}
