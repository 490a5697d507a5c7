// Running tasks by when their time limit runs out, for the pass to kill those past it and to
// wake at the next one.

/** What the lanes need of a task: its id (the tie-breaker) and a field for its place. */
export interface Filed {
  readonly id: number;
  /** Its place (lane and position) while filed, else -1. */
  limitSlot: number;
}

/** Lanes kept at most (a power of two: a place is position × MAX_LANES + lane). */
const MAX_LANES = 1024;

/** Dead entries a lane may hold besides as many as its live ones before it is compacted. */
const SLACK = 32;

/**
 * The running tasks of one time limit, by deadline then id. Deadlines are `now` plus the
 * limit and `now` never goes back, so a task almost always goes last: filing is an append
 * and leaving is a hole, and no entry moves (no other task's record is written).
 */
export class DeadlineLane<T> {
  items: (T | null)[] = [];
  keys: number[] = [];
  ids: number[] = [];
  /** Index of the first live entry (items.length when none). */
  head = 0;
  live = 0;
}

/**
 * Running tasks by deadline, then id, in one lane per distinct time limit (the NGC steady run
 * has ~85), with a small heap of the lanes by their first entry. Replaces an indexed heap of
 * all running tasks, whose sifting on every start and end wrote the place of each task it
 * moved into that task's record (deadline-heap siftDown and remove, ~2% of the NGC steady
 * run's profile). Limits past MAX_LANES distinct ones share lanes: still in order (a task
 * that does not sort last is inserted), only slower.
 */
export class DeadlineLanes<T extends Filed> {
  private readonly lanes: DeadlineLane<T>[] = [];
  /** Lane index of each time limit given a lane of its own. */
  private readonly laneOf = new Map<number, number>();
  /** Indices of the lanes that hold a task, a min-heap by their heads' deadline and id. */
  private readonly heap: number[] = [];
  /** Each lane's place in `heap`, or -1. */
  private readonly heapAt: number[] = [];
  private count = 0;
  /** The time limit laneFor found a lane of its own for last, and that lane (lanes are never dropped). */
  private lastLimit = Number.NaN;
  private lastLane = 0;

  get size(): number {
    return this.count;
  }

  /** The earliest deadline, or Infinity when empty. */
  peekKey(): number {
    if (this.heap.length === 0) return Infinity;
    const lane = this.lanes[this.heap[0] as number] as DeadlineLane<T>;
    return lane.keys[lane.head] as number;
  }

  /** The task of the earliest deadline (the least id among equal ones). */
  peek(): T | undefined {
    if (this.heap.length === 0) return undefined;
    const lane = this.lanes[this.heap[0] as number] as DeadlineLane<T>;
    return lane.items[lane.head] as T;
  }

  /** Files `t` (not filed now) under `deadline`, in the lane of its time limit `limit`. */
  add(t: T, deadline: number, limit: number): void {
    const li = this.laneFor(limit);
    const lane = this.lanes[li] as DeadlineLane<T>;
    const { items, keys, ids } = lane;
    const id = t.id;
    let p = items.length;
    items.push(null);
    keys.push(deadline);
    ids.push(id);
    // Entries that sort after it move up one (holes too: they keep their keys, so the order holds).
    while (p > lane.head) {
      const k = keys[p - 1] as number;
      if (k < deadline || (k === deadline && (ids[p - 1] as number) < id)) break;
      const moved = items[p - 1] as T | null;
      items[p] = moved;
      keys[p] = k;
      ids[p] = ids[p - 1] as number;
      if (moved !== null) moved.limitSlot = p * MAX_LANES + li;
      p--;
    }
    items[p] = t;
    keys[p] = deadline;
    ids[p] = id;
    t.limitSlot = p * MAX_LANES + li;
    lane.live++;
    this.count++;
    if (p === lane.head) {
      // A new first entry: the lane's key went down (or it joins the heap).
      if (this.heapAt[li] === -1) {
        this.heap.push(li);
        this.heapAt[li] = this.heap.length - 1;
      }
      this.siftUp(this.heapAt[li] as number);
    }
  }

  /** Takes `t` out; a no-op when it is not filed. */
  remove(t: T): void {
    const slot = t.limitSlot;
    if (slot < 0) return;
    t.limitSlot = -1;
    const li = slot % MAX_LANES;
    const p = (slot - li) / MAX_LANES;
    const lane = this.lanes[li] as DeadlineLane<T>;
    const items = lane.items;
    items[p] = null;
    lane.live--;
    this.count--;
    if (p === lane.head) {
      let h = p + 1;
      while (h < items.length && items[h] === null) h++;
      lane.head = h;
      if (lane.live === 0) {
        truncate(lane, 0);
        lane.head = 0;
        this.leaveHeap(li);
        return;
      }
      // The lane's key went up.
      this.siftDown(this.heapAt[li] as number);
    }
    // Dead entries (before the head and holes after it) are dropped once they outnumber the
    // live ones: each compaction is paid for by as many removals.
    if (items.length > 2 * lane.live + SLACK) this.compact(lane, li);
  }

  private laneFor(limit: number): number {
    // A pass starts the shards of one stage (one time limit) one after another.
    if (limit === this.lastLimit) return this.lastLane;
    const known = this.laneOf.get(limit);
    if (known !== undefined) {
      this.lastLimit = limit;
      this.lastLane = known;
      return known;
    }
    if (this.lanes.length >= MAX_LANES) return Math.abs(Math.floor(limit)) % MAX_LANES || 0;
    const li = this.lanes.length;
    this.lanes.push(new DeadlineLane<T>());
    this.heapAt.push(-1);
    this.laneOf.set(limit, li);
    return li;
  }

  /** Moves a lane's live entries to its front, in order (its first entry stays first). */
  private compact(lane: DeadlineLane<T>, li: number): void {
    const { items, keys, ids } = lane;
    let o = 0;
    for (let i = lane.head; i < items.length; i++) {
      const t = items[i] as T | null;
      if (t === null) continue;
      items[o] = t;
      keys[o] = keys[i] as number;
      ids[o] = ids[i] as number;
      t.limitSlot = o * MAX_LANES + li;
      o++;
    }
    truncate(lane, o);
    lane.head = 0;
  }

  private leaveHeap(li: number): void {
    const heap = this.heap;
    const at = this.heapAt[li] as number;
    this.heapAt[li] = -1;
    const last = heap.pop() as number;
    if (at === heap.length) return;
    heap[at] = last;
    this.heapAt[last] = at;
    this.siftUp(at);
    this.siftDown(this.heapAt[last] as number);
  }

  /** Whether lane a's first entry comes before lane b's. */
  private before(a: number, b: number): boolean {
    const la = this.lanes[a] as DeadlineLane<T>;
    const lb = this.lanes[b] as DeadlineLane<T>;
    const ka = la.keys[la.head] as number;
    const kb = lb.keys[lb.head] as number;
    return ka < kb || (ka === kb && (la.ids[la.head] as number) < (lb.ids[lb.head] as number));
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const li = heap[i] as number;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const lp = heap[p] as number;
      if (!this.before(li, lp)) break;
      heap[i] = lp;
      this.heapAt[lp] = i;
      i = p;
    }
    heap[i] = li;
    this.heapAt[li] = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const li = heap[i] as number;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(heap[r] as number, heap[l] as number) ? r : l;
      const lc = heap[c] as number;
      if (!this.before(lc, li)) break;
      heap[i] = lc;
      this.heapAt[lc] = i;
      i = c;
    }
    heap[i] = li;
    this.heapAt[li] = i;
  }
}

/** Shortens a lane's lists to `n` entries (pop: the length setter is a slow runtime call). */
function truncate<T>(lane: DeadlineLane<T>, n: number): void {
  const { items, keys, ids } = lane;
  while (items.length > n) {
    items.pop();
    keys.pop();
    ids.pop();
  }
}
