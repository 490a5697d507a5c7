// The scheduler's event bus: anything in the process publishes job, node, consent and
// reservation events here; the SSE route (and anything else) subscribes. It keeps the last
// `capacity` events so a client that reconnects with Last-Event-ID misses nothing still held.
import type { EventData, EventKind } from '../../contract/index.js';

export interface BusEvent<K extends EventKind = EventKind> {
  /** `<boot>-<seq>`: unique across restarts, so a resume from another run is detected. */
  id: string;
  seq: number;
  kind: K;
  data: EventData[K];
  /** Wall clock when published, ms since the epoch. */
  at: number;
}

export interface EventBusOptions {
  /** Events kept for resuming clients (default 10,000). */
  capacity?: number;
  /** Wall clock in ms (injected so tests do not depend on it). */
  now?: () => number;
  /** This run's id (default: the start time in base 36). */
  boot?: string;
}

type Listener = (e: BusEvent) => void;

export class EventBus {
  readonly boot: string;
  private readonly capacity: number;
  private readonly now: () => number;
  private readonly ring: (BusEvent | undefined)[];
  private seq = 0;
  private readonly listeners = new Set<Listener>();

  constructor(opts: EventBusOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.capacity = opts.capacity ?? 10_000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError(`EventBus capacity must be a positive integer, got ${this.capacity}`);
    this.boot = opts.boot ?? this.now().toString(36);
    this.ring = new Array<BusEvent | undefined>(this.capacity);
  }

  publish<K extends EventKind>(kind: K, data: EventData[K]): BusEvent<K> {
    const seq = ++this.seq;
    const e: BusEvent<K> = { id: `${this.boot}-${seq}`, seq, kind, data, at: this.now() };
    this.ring[seq % this.capacity] = e as BusEvent;
    for (const l of this.listeners) {
      try {
        l(e as BusEvent);
      } catch {
        // one broken subscriber must not stop the others or the publisher
      }
    }
    return e;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** The latest event's sequence number (0 before the first). */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * The events after `lastId`, all still held; or `gap` (and no events) when some are lost:
   * the id is from another run, malformed, or older than the oldest event kept. A client
   * told of a gap re-reads the state it shows.
   */
  since(lastId: string | undefined): { events: BusEvent[]; gap: boolean } {
    if (lastId === undefined || lastId === '') return { events: [], gap: false };
    const m = /^([0-9a-z]+)-(\d+)$/.exec(lastId);
    const after = m ? Number(m[2]) : Number.NaN;
    if (!m || m[1] !== this.boot || after > this.seq) return { events: [], gap: true };
    const oldest = Math.max(1, this.seq - this.capacity + 1);
    if (after + 1 < oldest) return { events: [], gap: true };
    return { events: this.held(after + 1), gap: false };
  }

  private held(from: number): BusEvent[] {
    const out: BusEvent[] = [];
    for (let s = Math.max(from, this.seq - this.capacity + 1); s <= this.seq; s++) {
      const e = this.ring[s % this.capacity];
      if (e !== undefined && e.seq === s) out.push(e);
    }
    return out;
  }
}
