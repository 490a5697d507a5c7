// The per-request logger is made only when a request logs, and then carries fastify's bindings.
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from './lazy-logger.js';

describe('lazyChildLogger', () => {
  it('makes no child for a request that logs nothing, and a child with the request id for one that does', () => {
    const lines: string[] = [];
    const base = pino({ level: 'info' }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    let children = 0;
    const parent = new Proxy(base, {
      get: (t, k, r) => (k === 'child' ? (...a: Parameters<typeof base.child>) => (children++, t.child(...a)) : Reflect.get(t, k, r)),
    }) as unknown as FastifyBaseLogger;
    const quiet = lazyChildLogger(parent, { reqId: 'r-1' }, {});
    expect(quiet.level).toBe('info');
    expect(children).toBe(0);
    const loud = lazyChildLogger(parent, { reqId: 'r-2' }, {});
    loud.info({ statusCode: 404 }, 'request refused');
    loud.debug('not at info');
    loud.error({ err: new Error('boom') }, 'request failed');
    expect(children).toBe(1);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { reqId: 'r-2', statusCode: 404, msg: 'request refused' },
      { reqId: 'r-2', msg: 'request failed', err: { message: 'boom' } },
    ]);
    expect(loud.child({ a: 1 }).level).toBe('info');
  });
});
