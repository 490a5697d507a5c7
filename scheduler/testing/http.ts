// Test helper: one HTTP(S) request with JSON in and out. fetch cannot be told to trust a
// private CA on Node 20, so an https URL with `ca` goes through node:https.
import { request } from 'node:https';

export interface JsonResponse<T> {
  status: number;
  body: T;
  type: string;
  headers: Record<string, string | string[] | undefined>;
}

export async function requestJson<T = unknown>(url: string, init: { method: string; headers?: Record<string, string>; body?: string; ca?: Buffer | null }): Promise<JsonResponse<T>> {
  const parse = (text: string): T => (text === '' ? ({} as T) : (JSON.parse(text) as T));
  if (!url.startsWith('https:')) {
    const res = await fetch(url, { method: init.method, headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
    const text = await res.text();
    return { status: res.status, body: parse(text), type: res.headers.get('content-type') ?? '', headers: Object.fromEntries(res.headers.entries()) };
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers ?? {}, ...(init.ca ? { ca: init.ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: parse(Buffer.concat(chunks).toString('utf8')), type: String(res.headers['content-type'] ?? ''), headers: res.headers });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
