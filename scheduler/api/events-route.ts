// GET /api/v1/events: the event bus as server-sent events. Resumes after Last-Event-ID from
// what the bus still holds (or says `reset`), sends a heartbeat comment so proxies and
// clients see a live connection, and drops a client that stops reading (it reconnects and
// resumes) rather than buffering without bound.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BusEvent, EventAudience, EventBus } from '../events/index.js';
import { redactFor } from '../events/index.js';

export interface EventStreamOptions {
  heartbeatMs: number;
  /** Bytes queued for one slow client before it is dropped. */
  maxBufferedBytes: number;
}

export class EventStreams {
  private readonly open = new Set<() => void>();

  constructor(
    private readonly bus: EventBus,
    private readonly opts: EventStreamOptions,
  ) {}

  get count(): number {
    return this.open.size;
  }

  serve(req: FastifyRequest, reply: FastifyReply, lastEventId: string | undefined, who: EventAudience): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const write = (text: string): void => {
      if (res.writableEnded) return;
      res.write(text);
      if (res.writableLength > this.opts.maxBufferedBytes) close();
    };
    const frame = (e: BusEvent): string => `id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify(redactFor(e, who))}\n\n`;

    write('retry: 2000\n\n');
    const { events, gap } = this.bus.since(lastEventId);
    if (gap) write(`id: ${this.bus.boot}-${this.bus.lastSeq}\nevent: reset\ndata: ${JSON.stringify({ reason: 'events since Last-Event-ID are no longer held' })}\n\n`);
    for (const e of events) write(frame(e));
    const unsubscribe = this.bus.subscribe((e) => write(frame(e)));
    const beat = setInterval(() => write(': heartbeat\n\n'), this.opts.heartbeatMs);
    beat.unref();
    const close = (): void => {
      if (!this.open.delete(close)) return;
      clearInterval(beat);
      unsubscribe();
      if (!res.writableEnded) res.end();
    };
    this.open.add(close);
    req.raw.on('close', close);
    res.on('error', close);
  }

  /** Ends every stream (the server is closing). */
  closeAll(): void {
    for (const close of [...this.open]) close();
  }
}
