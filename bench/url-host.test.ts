// The bench's two lean HTTP clients (json-poster.ts, submit-client.ts) against a local
// node:http server: a base URL with an IPv6 literal reaches the server, with the bracketed
// Host header an HTTP/1.1 server expects.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonPoster, PostError } from './json-poster.js';
import { SubmitClient } from './submit-client.js';
import { socketHost } from './url-host.js';

let server: Server | null = null;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = null;
});

/** A server on `host` that answers each POST with what it received (201 for job submits). */
async function echo(host: string): Promise<number> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = req.url === '/refuse' ? 409 : req.url === '/api/v1/jobs' ? 201 : 200;
      const text = JSON.stringify({ jobIds: [7], headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server?.once('error', reject);
    server?.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

const cases = [
  ['an IPv4 literal', '127.0.0.1', (port: number) => `http://127.0.0.1:${port}`, (port: number) => `127.0.0.1:${port}`],
  ['an IPv6 literal', '::1', (port: number) => `http://[::1]:${port}`, (port: number) => `[::1]:${port}`],
] as const;

describe('the bench HTTP clients', () => {
  it('socketHost drops only an IPv6 literal\'s brackets', () => {
    expect(socketHost(new URL('http://[::1]:8470'))).toBe('::1');
    expect(socketHost(new URL('http://[2001:db8::1]'))).toBe('2001:db8::1');
    expect(socketHost(new URL('http://127.0.0.1:8470'))).toBe('127.0.0.1');
    expect(socketHost(new URL('http://sched.example:8470'))).toBe('sched.example');
  });

  it.each(cases)('JsonPoster posts to %s with the Host header a server expects', async (_what, host, url, hostHeader) => {
    const port = await echo(host);
    const poster = new JsonPoster(url(port), 'tok', 2, 5_000);
    try {
      const got = await poster.post<{ headers: IncomingHttpHeaders; body: unknown }>('/api/v1/x', { a: 1 });
      expect(got.body).toEqual({ a: 1 });
      expect(got.headers.host).toBe(hostHeader(port));
      expect(got.headers.authorization).toBe('Bearer tok');
      await expect(poster.post('/refuse', {})).rejects.toThrow(PostError);
    } finally {
      poster.close();
    }
  });

  it.each(cases)('SubmitClient submits to %s with the Host header a server expects', async (_what, host, url, hostHeader) => {
    const port = await echo(host);
    const client = new SubmitClient(url(port), 'tok');
    try {
      const got = (await client.submitJson('{"name":"j"}')) as { jobIds: number[]; headers: IncomingHttpHeaders; body: unknown };
      expect(got.jobIds).toEqual([7]);
      expect(got.headers.host).toBe(hostHeader(port));
      expect(got.body).toEqual({ name: 'j' });
    } finally {
      client.close();
    }
  });
});
