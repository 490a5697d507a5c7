// bench:live's floor for one job per POST: the same load generator (64 keep-alive clients, the
// CLI's request) against a bare node:http server in its own process that only reads the body,
// parses it and answers 201 with a job id, as the scheduler's API does around its real work.
// No framework, auth, validation, journal or agents: what the host gives any Node HTTP server,
// so the single-job figure can be read against it (on a slow or shared host the floor itself
// may sit under the target).
//
// Run as a script (fork) it is the server: it listens on an ephemeral loopback port, sends
// { port } to its parent, answers { cpuMs } to 'cpu' and exits on 'exit'.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { JobSpec } from '../scheduler/core/index.js';
import { SubmitClient } from './submit-client.js';

export interface FloorResult {
  requests: number;
  clients: number;
  req_per_sec: number;
  /** CPU ms per request of the bare server process, and of the load generator. */
  server_cpu_ms_per_req: number;
  client_cpu_ms_per_req: number;
}

type FromServer = { port: number } | { cpuMs: number };

function serve(): void {
  let next = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      let status = 201;
      let text: string;
      try {
        JSON.parse(body);
        const id = ++next;
        text = JSON.stringify({ jobIds: [id], displayIds: [String(id)] });
      } catch {
        status = 400;
        text = JSON.stringify({ code: 'INVALID_JSON' });
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port } satisfies FromServer));
  process.on('message', (m) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ cpuMs: (u.user + u.system) / 1000 } satisfies FromServer);
    } else if (m === 'exit') process.exit(0);
  });
}

function ask(child: ChildProcess, what: 'cpu'): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m: FromServer) => resolve('cpuMs' in m ? m.cpuMs : NaN));
    child.send(what);
  });
}

/** `requests` POSTs from `clients` clients (after `warmup`) against a bare server; req/s end to end. */
export async function httpFloor(spec: JobSpec, requests: number, clients: number, warmup: number): Promise<FloorResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: FromServer) => ('port' in m ? resolve(m.port) : reject(new Error('the floor server sent no port'))));
      child.once('exit', (code) => reject(new Error(`the floor server exited (${code}) before it listened`)));
    });
    const users = Array.from({ length: clients }, () => new SubmitClient(`http://127.0.0.1:${port}`, 'floor'));
    // One body for every request, as bench:live's single-job clients send pre-built JSON.
    const body = JSON.stringify(spec);
    const drive = async (n: number): Promise<void> => {
      let sent = 0;
      await Promise.all(
        users.map(async (u) => {
          while (sent < n) {
            sent++;
            await u.submitJson(body);
          }
        }),
      );
    };
    await drive(warmup);
    const server0 = await ask(child, 'cpu');
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await drive(requests);
    const wallS = (performance.now() - t0) / 1000;
    const clientUsage = process.cpuUsage(client0);
    const serverMs = (await ask(child, 'cpu')) - server0;
    for (const u of users) u.close();
    const r3 = (x: number): number => Math.round(x * 1000) / 1000;
    return {
      requests,
      clients,
      req_per_sec: Math.round(requests / wallS),
      server_cpu_ms_per_req: r3(serverMs / requests),
      client_cpu_ms_per_req: r3((clientUsage.user + clientUsage.system) / 1000 / requests),
    };
  } finally {
    child.send('exit');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--serve') serve();
