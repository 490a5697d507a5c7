// The pending queue in multifactor priority order, without re-sorting it.
//
// A job's priority is   static (QoS, partition, size)  +  fair-share of its account  +  age,
// with age = w·min(1, waited / maxAge). Within one account, for jobs that have not reached
// the age cap, the difference between two priorities never changes (both age at the same
// rate), and for capped jobs it never changes either. So each account keeps two lanes
// sorted once by a time-invariant key, and the queue order is a lazy merge of the lane heads
// with per-lane offsets (fair-share, and the age clock for uncapped lanes). Recalculating
// priorities is then a matter of a few offsets, and a pass that looks at the first thousand
// jobs of a hundred thousand touches only those.
import { insertAt, removeAt } from './lists.js';
import type { JobRt } from './state.js';
import type { Ms, PriorityWeights } from './types.js';

interface Lane {
  readonly account: string;
  readonly capped: boolean;
  readonly jobs: JobRt[];
  /** Index of the first entry that may still be live. */
  start: number;
  /** Added to each entry's key to give its current priority. */
  offset: number;
}

export class PendingQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly laneList: Lane[] = [];
  private cursor = new Int32Array(16);
  /** A walk's heap of lane indices, ordered by each lane's head (heads, headPrio). */
  private heap = new Int32Array(16);
  private heapSize = 0;
  private headPrio = new Float64Array(16);
  private heads: (JobRt | null)[] = new Array<JobRt | null>(16).fill(null);
  /** Set when an entry came back to life during a walk. */
  private revived = false;
  /** Weighted jobs in submission order, to move them to the capped lane as they age. */
  private readonly byAge: JobRt[] = [];
  private ageHead = 0;
  /** Jobs queued while a pass iterates; added when it ends. */
  private incoming: JobRt[] = [];
  private iterating = false;
  private clock: Ms = 0;
  /** Physical lane entries, and how many of them were left dead by remove(). */
  private entries = 0;
  private dead = 0;
  /** Jobs waiting now. */
  private waiting = 0;

  get size(): number {
    return this.waiting;
  }

  constructor(
    private readonly w: PriorityWeights,
    private readonly staticOf: (job: JobRt) => number,
    private readonly fairshareOf: (account: string) => number,
  ) {}

  /** Puts a job with pending tasks in the queue (or back in it). */
  add(job: JobRt, now: Ms): void {
    if (job.queued) return;
    job.queued = true;
    this.waiting++;
    if (job.laneKey === null) {
      if (now - job.submittedAt >= this.w.maxAgeMs) job.capped = true;
      if (this.w.age > 0 && !job.capped) this.byAge.push(job);
    }
    // Its entry in the lane it belongs to now is live again. (An entry left in the uncapped
    // lane after the job reached the age cap is not: it is dead for good.)
    if (job.laneCapped === job.capped) {
      this.dead--;
      if (this.iterating) this.revived = true;
      return;
    }
    if (this.iterating) this.incoming.push(job);
    else this.insert(job);
  }

  /** Marks a job as no longer waiting; its lane entry is dropped lazily. */
  remove(job: JobRt): void {
    if (!job.queued) return;
    job.queued = false;
    this.waiting--;
    if (job.laneCapped === job.capped) this.dead++;
  }

  /**
   * Re-files a job whose static priority changes (nice, QoS): its entry leaves its lane, then
   * `change` runs, then the job is inserted at its new place. Costs a scan of its lane: an
   * operator's action, not a path a pass takes.
   */
  rekey(job: JobRt, change: () => void): void {
    if (job.laneCapped !== null) {
      const lane = this.lanes.get(`${job.account.name}\u0000${job.laneCapped ? 1 : 0}`);
      const i = lane ? lane.jobs.indexOf(job, lane.start) : -1;
      if (lane && i >= 0) {
        if (!this.live(job, lane)) this.dead = Math.max(0, this.dead - 1);
        removeAt(lane.jobs, i);
        this.entries--;
      }
      job.laneCapped = null;
    }
    change();
    if (!job.queued) return;
    if (this.iterating) this.incoming.push(job);
    else this.insert(job);
  }

  /** Recomputes lane offsets (fair-share and the age clock) as of `now`. */
  reprioritize(now: Ms): void {
    this.clock = now;
    // Jobs that reached the age cap since the last time move to their account's capped lane.
    while (this.ageHead < this.byAge.length) {
      const j = this.byAge[this.ageHead] as JobRt;
      if (now - j.submittedAt < this.w.maxAgeMs) break;
      this.ageHead++;
      if (!j.capped) {
        j.capped = true;
        if (j.queued) this.insert(j);
      }
    }
    if (this.ageHead > 4096 && this.ageHead * 2 > this.byAge.length) {
      this.byAge.splice(0, this.ageHead);
      this.ageHead = 0;
    }
    for (const lane of this.lanes.values()) lane.offset = this.offsetOf(lane);
  }

  /**
   * Calls `visit` with live jobs in priority order (then submission, then id) until it returns
   * false. Jobs added meanwhile join after the walk. The lanes' current heads sit in a binary
   * heap, so each step costs O(log lanes) rather than a look at every lane (a burst of 60,000
   * analyses walks the queue ~75 million steps). No generator and no per-walk arrays.
   */
  walk(visit: (job: JobRt) => boolean): void {
    const lanes = this.laneList;
    const n = lanes.length;
    if (this.cursor.length < n) {
      const cap = Math.max(n, this.cursor.length * 2);
      this.cursor = new Int32Array(cap);
      this.heap = new Int32Array(cap);
      this.headPrio = new Float64Array(cap);
      this.heads = new Array<JobRt | null>(cap).fill(null);
    }
    const { cursor, heads } = this;
    for (let i = 0; i < n; i++) cursor[i] = (lanes[i] as Lane).start;
    this.iterating = true;
    this.revived = false;
    try {
      this.fillHeap(n);
      while (this.heapSize > 0) {
        // A job queued again mid-walk revives its entry where it is: refile every lane.
        if (this.revived) {
          this.revived = false;
          this.fillHeap(n);
          continue;
        }
        const i = this.heap[0] as number;
        const lane = lanes[i] as Lane;
        const j = this.headOf(lane, i);
        if (j !== heads[i]) {
          // Its filed head left the queue since (e.g. it started): file the lane's new head.
          this.refileTop(i, j);
          continue;
        }
        cursor[i] = (cursor[i] as number) + 1;
        // File the lane's next head without moving the cursor past dead entries: one of them
        // may come back to life during the visit (and is then still ahead).
        this.refileTop(i, this.peekHead(lane, i));
        if (!visit(j as JobRt)) return;
      }
    } finally {
      this.iterating = false;
      this.tidy();
    }
  }

  /** The first live entry of lane `i` at or after its cursor (the cursor moves up to it). */
  private headOf(lane: Lane, i: number): JobRt | null {
    const c = this.firstLive(lane, i);
    this.cursor[i] = c;
    return lane.jobs[c] ?? null;
  }

  /** The first live entry of lane `i` at or after its cursor, leaving the cursor where it is. */
  private peekHead(lane: Lane, i: number): JobRt | null {
    return lane.jobs[this.firstLive(lane, i)] ?? null;
  }

  private firstLive(lane: Lane, i: number): number {
    let c = this.cursor[i] as number;
    while (c < lane.jobs.length && !this.live(lane.jobs[c] as JobRt, lane)) c++;
    return c;
  }

  /** Files every lane's current head in the heap. */
  private fillHeap(n: number): void {
    this.heapSize = 0;
    for (let i = 0; i < n; i++) {
      const j = this.peekHead(this.laneList[i] as Lane, i);
      this.heads[i] = j;
      if (j === null) continue;
      this.headPrio[i] = (j.laneKey as number) + (this.laneList[i] as Lane).offset;
      this.heap[this.heapSize++] = i;
    }
    for (let k = (this.heapSize >> 1) - 1; k >= 0; k--) this.siftDown(k);
  }

  /** Lane `i` is at the top of the heap: file `j` as its head, or drop the lane when null. */
  private refileTop(i: number, j: JobRt | null): void {
    this.heads[i] = j;
    if (j === null) {
      this.heap[0] = this.heap[--this.heapSize] as number;
    } else {
      this.headPrio[i] = (j.laneKey as number) + (this.laneList[i] as Lane).offset;
    }
    if (this.heapSize > 0) this.siftDown(0);
  }

  /** Whether lane a's head comes before lane b's. */
  private before(a: number, b: number): boolean {
    const pa = this.headPrio[a] as number;
    const pb = this.headPrio[b] as number;
    if (pa !== pb) return pa > pb;
    const ja = this.heads[a] as JobRt;
    const jb = this.heads[b] as JobRt;
    return ja.submittedAt < jb.submittedAt || (ja.submittedAt === jb.submittedAt && ja.id < jb.id);
  }

  private siftDown(k: number): void {
    const h = this.heap;
    const n = this.heapSize;
    const x = h[k] as number;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(h[r] as number, h[l] as number) ? r : l;
      if (!this.before(h[c] as number, x)) break;
      h[k] = h[c] as number;
      k = c;
    }
    h[k] = x;
  }

  private live(j: JobRt, lane: Lane): boolean {
    return j.queued && j.capped === lane.capped && j.account.name === lane.account;
  }

  private laneOf(job: JobRt): Lane {
    const key = `${job.account.name}\u0000${job.capped ? 1 : 0}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { account: job.account.name, capped: job.capped, jobs: [], start: 0, offset: 0 };
      lane.offset = this.offsetOf(lane);
      this.lanes.set(key, lane);
      this.laneList.push(lane);
    }
    return lane;
  }

  private offsetOf(lane: Lane): number {
    const fs = this.w.fairshare * this.fairshareOf(lane.account);
    return lane.capped ? fs : fs + (this.w.age * this.clock) / this.w.maxAgeMs;
  }

  /** Binary insertion by key (descending), then submission and id (ascending). */
  private insert(job: JobRt): void {
    const stat = this.staticOf(job);
    job.laneKey = job.capped ? stat + this.w.age : stat - (this.w.age * job.submittedAt) / this.w.maxAgeMs;
    const lane = this.laneOf(job);
    const a = lane.jobs;
    const before = (x: JobRt): boolean =>
      (x.laneKey as number) > (job.laneKey as number) || (x.laneKey === job.laneKey && (x.submittedAt < job.submittedAt || (x.submittedAt === job.submittedAt && x.id < job.id)));
    let lo = lane.start;
    let hi = a.length;
    if (hi === lo || before(a[hi - 1] as JobRt)) lo = hi; // the usual case: it goes last
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(a[mid] as JobRt)) lo = mid + 1;
      else hi = mid;
    }
    insertAt(a, lo, job);
    job.laneCapped = job.capped;
    this.entries++;
  }

  /** Drops dead entries: from the front at once, elsewhere when they are a quarter of a lane. */
  private tidy(): void {
    for (const lane of this.lanes.values()) {
      while (lane.start < lane.jobs.length && !this.live(lane.jobs[lane.start] as JobRt, lane)) {
        this.release(lane.jobs[lane.start] as JobRt, lane);
        lane.start++;
      }
      if (lane.start > 1024 && lane.start * 2 > lane.jobs.length) {
        lane.jobs.splice(0, lane.start);
        lane.start = 0;
      }
    }
    const incoming = this.incoming;
    this.incoming = [];
    for (const j of incoming) if (j.queued && j.laneCapped !== j.capped) this.insert(j);
  }

  /** Full compaction once dead entries are a quarter of all (called between passes). */
  compact(): void {
    if (this.dead < 1024 || this.dead * 4 < this.entries) return;
    this.entries = 0;
    for (const lane of this.lanes.values()) {
      const kept: JobRt[] = [];
      for (let i = lane.start; i < lane.jobs.length; i++) {
        const j = lane.jobs[i] as JobRt;
        if (this.live(j, lane)) kept.push(j);
        else if (j.laneCapped === lane.capped) j.laneCapped = null;
      }
      lane.jobs.length = 0;
      for (const j of kept) lane.jobs.push(j);
      lane.start = 0;
      this.entries += kept.length;
    }
    this.dead = 0;
  }

  /** An entry leaves its lane; the job may be queued again later. */
  private release(j: JobRt, lane: Lane): void {
    this.entries--;
    // Only the entry in the lane the job points at is its entry; older ones were dead already.
    if (j.laneCapped === lane.capped) {
      j.laneCapped = null;
      this.dead = Math.max(0, this.dead - 1);
    }
  }

  /** Every live job, in order (for views; touches the whole queue). */
  all(): JobRt[] {
    const out: JobRt[] = [];
    this.walk((j) => {
      out.push(j);
      return true;
    });
    return out;
  }
}
