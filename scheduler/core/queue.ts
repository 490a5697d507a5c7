// The pending queue in multifactor priority order, without re-sorting it.
//
// A job's priority is   static (QoS, partition, size)  +  fair-share of its account  +  age,
// with age = w·min(1, waited / maxAge). Within one account, for jobs that have not reached
// the age cap, the difference between two priorities never changes (both age at the same
// rate), and for capped jobs it never changes either. So each account keeps two lanes
// ordered once by a time-invariant key, and the queue order is a lazy merge of the lane heads
// with per-lane offsets (fair-share, and the age clock for uncapped lanes). Recalculating
// priorities is then a matter of a few offsets, and a pass that looks at the first thousand
// jobs of a hundred thousand touches only those.
//
// A lane is a few sorted runs, largest first, each at least twice the next (the logarithmic
// method): a job that sorts after the first run's tail is appended to it (the usual case:
// jobs arrive in order), otherwise it goes into the last run while that is small, or starts
// a run of its own; the last two runs merge while the later one is over half the earlier.
// Each job is moved by O(log n) merges, so submitting costs O(log n) amortized whatever the
// priority order (one sorted array cost O(n) per job submitted out of order). A walk merges
// all runs of all lanes through one heap of run heads.
//
// The first few thousand jobs of that merge are cached as a plain list (`order`) until
// priorities are recalculated: passes in between walk the list, and a job queued meanwhile is
// put in its place by the same comparison the heap makes (a backfill pass looks at hundreds of
// jobs, mostly the ones the pass before looked at). A walk that runs past its end merges on
// from just after its last job (each run's place found by a binary search) and extends it.
import { insertAt, removeAt } from './lists.js';
import type { JobRt } from './state.js';
import type { Ms, PriorityWeights } from './types.js';

/** Runs shorter than this take insertions in place (a short shift beats a merge). */
const SMALL_RUN = 64;
/** A walk that stepped over this many entries of a run sweeps the dead ones out after it. */
const SWEEP_FROM = 64;
/**
 * The fewest jobs the cached walk order may hold (a job queued into it shifts up to half of
 * them). Each rebuild sizes it to twice the longest recent walk, up to ORDER_CAP_MAX, so that
 * passes that look at thousands of jobs (every job fits) do not walk past its end every time;
 * the estimate halves at each rebuild the walks since did not reach, so that one deep walk (a
 * burst's first pass) does not make every later rebuild cache tens of thousands of jobs, and
 * every job queued shift them.
 */
const ORDER_CAP = 2048;
const ORDER_CAP_MAX = 8192;
/**
 * How many jobs past where a walk stopped it records in the cached order. Not more: a later
 * walk that runs past the order's end goes on from there (a binary search per run) and extends
 * it, so a rebuild (after each priority recalculation) merges no more than the walks reach.
 */
const ORDER_SLACK = 256;

interface Lane {
  readonly account: string;
  readonly capped: boolean;
  /** Sorted runs, each more than twice as long as the next. */
  readonly runs: Run[];
  /** Added to each entry's key to give its current priority. */
  offset: number;
  /** An entry may have died since the last tidy (tidy looks at the runs' fronts only then). */
  dirty: boolean;
}

/**
 * Whether `x` sorts before `y` within one lane: key, then id. Ids are handed out in submission
 * order, so this is key, then submission time, then id.
 */
function laneBefore(x: JobRt, y: JobRt): boolean {
  const kx = x.laneKey as number;
  const ky = y.laneKey as number;
  return kx > ky || (kx === ky && x.id < y.id);
}

function liveIn(j: JobRt, lane: Lane): boolean {
  // A lane holds only its account's jobs, and a job has at most one entry in a lane: no need to
  // read its account (another cache line of the record, on the hottest path of a walk).
  return j.queued && j.capped === lane.capped;
}

/**
 * Whether a job in the cached walk order is live at its place there: queued, with an entry in
 * its lane (a job queued again mid-walk whose entry was dropped gets a new one after the walk).
 */
function liveInOrder(j: JobRt): boolean {
  return j.queued && j.laneCapped === j.capped;
}

/**
 * One sorted run of a lane: its jobs, with their sort keys beside them in typed arrays.
 * Inserting and merging read only the keys: a job record is a random memory access, and a
 * merge that read each job's fields was bound by cache misses.
 */
export class Run {
  /** Entries by key (descending), then id (ascending); some may be dead. */
  jobs: JobRt[] = [];
  /** Plain arrays of numbers (unboxed doubles): a typed array lives off the heap, and growing
   * large ones made V8 count external memory and collect garbage early. */
  keys: number[] = [];
  ids: number[] = [];
  /** Index of the first entry that may still be live. */
  start = 0;

  constructor(readonly lane: Lane) {}

  get size(): number {
    return this.jobs.length - this.start;
  }

  /** Whether entry `i` sorts before a job with key `key` and id `id`. */
  before(i: number, key: number, id: number): boolean {
    const k = this.keys[i] as number;
    return k > key || (k === key && (this.ids[i] as number) < id);
  }

  /** Appends an entry that sorts after every other. */
  push(job: JobRt, key: number, id: number): void {
    this.jobs.push(job);
    this.keys.push(key);
    this.ids.push(id);
  }

  /** Inserts an entry at its place: a binary search, then a shift of what follows. */
  insert(job: JobRt, key: number, id: number): void {
    let lo = this.start;
    let hi = this.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.before(mid, key, id)) lo = mid + 1;
      else hi = mid;
    }
    insertAt(this.keys, lo, key);
    insertAt(this.ids, lo, id);
    insertAt(this.jobs, lo, job);
  }

  /** Merges `other`, a run of the same lane, into this one. */
  merge(other: Run): void {
    const total = this.size + other.size;
    const jobs = new Array<JobRt>(total);
    const keys = new Array<number>(total);
    const ids = new Array<number>(total);
    let i = this.start;
    let k = other.start;
    const ni = this.jobs.length;
    const nk = other.jobs.length;
    for (let o = 0; o < total; o++) {
      if (k >= nk || (i < ni && this.before(i, other.keys[k] as number, other.ids[k] as number))) {
        jobs[o] = this.jobs[i] as JobRt;
        keys[o] = this.keys[i] as number;
        ids[o] = this.ids[i++] as number;
      } else {
        jobs[o] = other.jobs[k] as JobRt;
        keys[o] = other.keys[k] as number;
        ids[o] = other.ids[k++] as number;
      }
    }
    this.jobs = jobs;
    this.keys = keys;
    this.ids = ids;
    this.start = 0;
  }

  /** Keeps, in order, the entries from `start` on that `keep` accepts. */
  filter(keep: (j: JobRt) => boolean): void {
    let o = 0;
    for (let i = this.start; i < this.jobs.length; i++) {
      const j = this.jobs[i] as JobRt;
      if (!keep(j)) continue;
      this.jobs[o] = j;
      this.keys[o] = this.keys[i] as number;
      this.ids[o++] = this.ids[i] as number;
    }
    this.truncate(o);
    this.start = 0;
  }

  /** Drops every entry (all dead): the lists keep their room (pop does not give it back). */
  clear(): void {
    this.truncate(0);
    this.start = 0;
  }

  /** Frees the entries before `start`. */
  shift(): void {
    const n = this.jobs.length;
    let o = 0;
    for (let i = this.start; i < n; i++, o++) {
      this.jobs[o] = this.jobs[i] as JobRt;
      this.keys[o] = this.keys[i] as number;
      this.ids[o] = this.ids[i] as number;
    }
    this.truncate(o);
    this.start = 0;
  }

  private truncate(n: number): void {
    while (this.jobs.length > n) {
      this.jobs.pop();
      this.keys.pop();
      this.ids.pop();
    }
  }
}

export class PendingQueue {
  /** Lanes by account: uncapped and capped. */
  private readonly uncapped = new Map<string, Lane>();
  private readonly capped = new Map<string, Lane>();
  private readonly laneList: Lane[] = [];
  /** Every run of every lane (walk state is indexed by position here); rebuilt when stale. */
  private runList: Run[] = [];
  private runsChanged = false;
  private cursor = new Int32Array(16);
  /** How far a walk looked into each run for a live entry, and how many dead entries it met there (see tidy). */
  private reach = new Int32Array(16);
  private deadSeen = new Int32Array(16);
  /**
   * A walk's heap of run indices, ordered by each run's head (heads, headPrio). Each head's lane
   * key and id are copied from its run's arrays (headKey, headId): sifting compares those, not
   * fields of job records spread over the heap (a lane key read from a record is a boxed double,
   * one more pointer to follow).
   */
  private heap = new Int32Array(16);
  private heapSize = 0;
  private headPrio = new Float64Array(16);
  private headKey = new Float64Array(16);
  private headId = new Float64Array(16);
  private heads: (JobRt | null)[] = new Array<JobRt | null>(16).fill(null);
  /** Set when an entry came back to life during a walk. */
  private revived = false;
  /** Weighted jobs in submission order, to move them to the capped lane as they age. */
  private readonly byAge: (JobRt | null)[] = [];
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
  private readonly smallRun: number;
  private readonly sweepFrom: number;
  private readonly orderCapMin: number;
  private readonly orderCapMax: number;
  private readonly orderSlack: number;
  /**
   * The walk order, cached: the first queued jobs in order as the walk that built it found them,
   * and jobs queued since at their place. A job that leaves the queue stays in it, dead, until
   * swept; one queued again is live at its place again. Passes walk this list instead of merging
   * the runs again (a backfill pass looks at hundreds of jobs, mostly the same ones as the pass
   * before). Recalculated priorities or a re-keyed job make it stale: the next walk rebuilds it.
   */
  private order: JobRt[] = [];
  /** Its first entry (those before were dropped, dead, from its front). */
  private orderStart = 0;
  private orderOk = false;
  /** The cached order holds every queued job (its walk reached the end of the queue). */
  private orderAll = false;
  /** Its generation: a job whose `orderGen` is this is in it. */
  private orderGen = 0;
  /** The next entry a walk of the cached order visits. */
  private orderPos = 0;
  /** How many jobs the cached order may hold (see ORDER_CAP). */
  private orderCap = ORDER_CAP;
  /** Recent walks' reach (jobs looked at by a walk that stopped), decayed: a rebuilt cached order reaches twice as far. */
  private longWalk = 0;
  /** The longest walk that stopped since the cached order was last rebuilt. */
  private walkPeak = 0;
  /** A walk of the runs is building the cached order; jobs queued again meanwhile wait here. */
  private building = false;
  private revivedJobs: JobRt[] = [];
  /**
   * Jobs queued (again) during the current walk: it does not visit them, wherever their entry
   * lies; the next walk does. Whether a walk would otherwise meet one depended on whether its
   * old lane entry had been swept yet, which differs between a walk of the cached order and a
   * merge of the runs (and so between a core restored from a snapshot and one that never
   * stopped). Usually empty; a few preemption victims at most.
   */
  private queuedMidWalk: JobRt[] = [];

  get size(): number {
    return this.waiting;
  }

  constructor(
    private readonly w: PriorityWeights,
    private readonly staticOf: (job: JobRt) => number,
    private readonly fairshareOf: (account: string) => number,
    /** Tests pass small sizes to make merges and sweeps frequent. */
    tuning: { smallRun?: number; sweepFrom?: number; orderCap?: number; orderCapMax?: number; orderSlack?: number } = {},
  ) {
    this.smallRun = tuning.smallRun ?? SMALL_RUN;
    this.sweepFrom = tuning.sweepFrom ?? SWEEP_FROM;
    this.orderCapMin = tuning.orderCap ?? ORDER_CAP;
    this.orderCapMax = Math.max(this.orderCapMin, tuning.orderCapMax ?? ORDER_CAP_MAX);
    this.orderSlack = tuning.orderSlack ?? ORDER_SLACK;
    this.orderCap = this.orderCapMin;
  }

  /** How many sorted runs the lanes hold (each lane keeps O(log n)). */
  get runs(): number {
    let n = 0;
    for (const lane of this.laneList) n += lane.runs.length;
    return n;
  }

  /** Puts a job with pending tasks in the queue (or back in it). */
  add(job: JobRt, now: Ms): void {
    if (job.queued) return;
    job.queued = true;
    this.waiting++;
    if (this.iterating) this.queuedMidWalk.push(job);
    if (job.laneKey === null) {
      if (now - job.submittedAt >= this.w.maxAgeMs) job.capped = true;
      if (this.w.age > 0 && !job.capped) this.byAge.push(job);
    }
    // Its entry in the lane it belongs to now is live again. (An entry left in the uncapped
    // lane after the job reached the age cap is not: it is dead for good.)
    if (job.laneCapped === job.capped) {
      this.dead--;
      if (this.iterating) this.revived = true;
      if (this.building) this.revivedJobs.push(job);
      else this.placeInOrder(job);
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
    if (job.laneCapped === job.capped) {
      this.dead++;
      this.laneFor(job).dirty = true;
    }
  }

  /**
   * Re-files a job whose static priority changes (nice, QoS): its entry leaves its lane, then
   * `change` runs, then the job is filed again at its new place. Costs a pass over its lane's
   * runs: an operator's action, not a path a pass takes.
   */
  rekey(job: JobRt, change: () => void): void {
    this.forgetOrder();
    if (job.laneCapped !== null) {
      const lane = (job.laneCapped ? this.capped : this.uncapped).get(job.account.name);
      if (lane) lane.dirty = true;
      for (const run of lane?.runs ?? []) {
        const before = run.jobs.length - run.start;
        run.filter((j) => j !== job);
        const gone = before - run.size;
        if (gone > 0) {
          this.entries -= gone;
          if (!job.queued) this.dead = Math.max(0, this.dead - gone);
        }
      }
      this.runsChanged = true;
      job.laneCapped = null;
    }
    change();
    if (!job.queued) return;
    if (this.iterating) this.incoming.push(job);
    else this.insert(job);
  }

  /** Recomputes lane offsets (fair-share and the age clock) as of `now`. */
  reprioritize(now: Ms): void {
    this.forgetOrder();
    this.clock = now;
    // Jobs that reached the age cap since the last time move to their account's capped lane.
    while (this.ageHead < this.byAge.length) {
      const j = this.byAge[this.ageHead] as JobRt;
      if (now - j.submittedAt < this.w.maxAgeMs) break;
      this.byAge[this.ageHead++] = null;
      if (!j.capped) {
        j.capped = true;
        if (j.queued) this.insert(j);
      }
    }
    if (this.ageHead > 64 && this.ageHead * 2 > this.byAge.length) {
      this.byAge.splice(0, this.ageHead);
      this.ageHead = 0;
    }
    for (const lane of this.laneList) {
      lane.offset = this.offsetOf(lane);
      // Entries of jobs that moved to their capped lane died in the uncapped one.
      lane.dirty = true;
    }
  }

  /** The cached walk order is stale (priorities or keys changed): the next walk rebuilds it. */
  forgetOrder(): void {
    if (!this.orderOk && this.order.length === 0) return;
    this.orderOk = false;
    this.orderAll = false;
    this.orderGen++;
    this.order = [];
    this.orderStart = 0;
  }

  /**
   * Calls `visit` with live jobs in priority order (then submission, then id) until it returns
   * false. Jobs queued meanwhile (new, or again: a preemption's victims) are not visited in this
   * walk, wherever they sort; the next walk finds them in their place. The walk
   * follows the cached order (see `order`) and, past its end, merges the runs: their current
   * heads sit in a binary heap, so each step costs O(log runs) rather than a look at every run.
   * No generator and no per-walk arrays.
   */
  walk(visit: (job: JobRt) => boolean): void {
    try {
      this.walkOnce(visit);
    } finally {
      if (this.queuedMidWalk.length > 0) this.queuedMidWalk = [];
    }
  }

  /** Whether a walk visits `j`, live in it: not when it was queued during this walk. */
  private visitable(j: JobRt): boolean {
    return this.queuedMidWalk.length === 0 || !this.queuedMidWalk.includes(j);
  }

  private walkOnce(visit: (job: JobRt) => boolean): void {
    if (!this.orderOk || (this.order.length === this.orderStart && !this.orderAll)) {
      this.forgetOrder();
      this.walkRuns(visit, null, 0);
      return;
    }
    const order = this.order;
    let dead = 0;
    let seen = 0;
    let more = true;
    /** The last job the walk stepped on (the latest in order it passed). */
    let stepped: JobRt | undefined;
    this.iterating = true;
    try {
      // Visits may queue jobs into the order (before or after orderPos): index through the field.
      this.orderPos = this.orderStart;
      while (this.orderPos < order.length) {
        const j = order[this.orderPos++] as JobRt;
        stepped = j;
        if (!liveInOrder(j)) {
          dead++;
          continue;
        }
        if (!this.visitable(j)) continue;
        seen++;
        if (!visit(j)) {
          more = false;
          if (seen > this.walkPeak) this.walkPeak = seen;
          break;
        }
      }
    } finally {
      this.iterating = false;
      this.tidy(false);
    }
    // Past the cached order the rest comes from the runs, after the last job it passed (dead or
    // not). That is its last job, unless a job queued mid-walk before the walk's place pushed
    // that one off the order's end (placeInOrder keeps it within orderCap).
    const floor = more && this.orderOk && !this.orderAll && order === this.order ? (stepped ?? order[order.length - 1]) : undefined;
    if (order === this.order) {
      if (dead >= this.sweepFrom) this.sweepOrder();
      else this.dropDeadFront();
    }
    // Going on past its end starts each run just after the floor (a binary search), and extends the order.
    if (floor !== undefined) this.walkRuns(visit, floor, seen);
  }

  /**
   * Walks the runs through the heap of their heads. From the start (`floor` null) it builds the
   * cached order; after the cached order (`floor` its last job) it passes over what comes no
   * later than `floor` and extends the cached order with what it visits.
   */
  private walkRuns(visit: (job: JobRt) => boolean, floor: JobRt | null, seen: number): void {
    if (this.runsChanged) this.listRuns();
    const runs = this.runList;
    const n = runs.length;
    if (this.cursor.length < n) {
      const cap = Math.max(n, this.cursor.length * 2);
      this.cursor = new Int32Array(cap);
      this.reach = new Int32Array(cap);
      this.deadSeen = new Int32Array(cap);
      this.heap = new Int32Array(cap);
      this.headPrio = new Float64Array(cap);
      this.headKey = new Float64Array(cap);
      this.headId = new Float64Array(cap);
      this.heads = new Array<JobRt | null>(cap).fill(null);
    }
    const { cursor, heads, reach, deadSeen } = this;
    const build = floor === null;
    /** The job visited last (or the floor): a head no later than it is passed over. */
    let last: JobRt | null = floor;
    let lastLane: Lane | null = floor === null ? null : this.laneFor(floor);
    let lastPrio = floor === null ? 0 : (floor.laneKey as number) + (lastLane as Lane).offset;
    for (let i = 0; i < n; i++) {
      const run = runs[i] as Run;
      // Past the cached order: what sorts no later than its last job was walked already.
      cursor[i] = reach[i] = floor === null ? run.start : this.firstAfter(run, floor, lastLane as Lane, lastPrio);
      deadSeen[i] = 0;
    }
    if (build) {
      // Size the new cached order by the walks since the last one (and half the estimate before).
      this.longWalk = Math.max(this.walkPeak, this.longWalk >> 1);
      this.walkPeak = 0;
      this.orderCap = Math.min(this.orderCapMax, Math.max(this.orderCapMin, 2 * this.longWalk));
    }
    const order = this.order;
    const gen = this.orderGen;
    // (What follows a floor pushed off the order's end would leave a gap in it: not recorded.)
    let recording = order.length - this.orderStart < this.orderCap && (floor === null || floor === order[order.length - 1]);
    let check = false;
    let visited = 0;
    this.iterating = true;
    this.revived = false;
    this.building = build;
    try {
      this.fillHeap(n);
      let visiting = true;
      let slack = 0;
      // (A job queued again by the last visit is found even when that emptied the heap.)
      while (this.heapSize > 0 || this.revived) {
        // A job queued again mid-walk revives its entry where it is: refile every run (the entry
        // is recorded in the cached order, not visited: see queuedMidWalk).
        if (this.revived) {
          this.revived = false;
          this.fillHeap(n);
          check = last !== null;
          continue;
        }
        const i = this.heap[0] as number;
        const run = runs[i] as Run;
        const at = this.firstLive(run, i);
        cursor[i] = at;
        const j = run.jobs[at] ?? null;
        if (j !== heads[i]) {
          // Its filed head left the queue since (e.g. it started): file the run's new head.
          this.refileTop(i, run, at);
          continue;
        }
        const key = this.headKey[i] as number;
        cursor[i] = at + 1;
        // File the run's next head without moving the cursor past dead entries: one of them
        // may come back to life during the visit (and is then still ahead).
        this.refileTop(i, run, this.firstLive(run, i));
        if (check) {
          const after =
            run.lane === lastLane
              ? laneBefore(last as JobRt, j as JobRt)
              : this.headBefore(lastPrio, last as JobRt, key + run.lane.offset, j as JobRt);
          if (!after) continue;
          check = false;
        }
        if (recording) {
          order.push(j as JobRt);
          (j as JobRt).orderGen = gen;
          if (order.length - this.orderStart >= this.orderCap) recording = false;
        }
        if (!visiting) {
          if (--slack <= 0) break;
          continue;
        }
        if (!this.visitable(j as JobRt)) continue;
        last = j;
        lastLane = run.lane;
        lastPrio = key + run.lane.offset;
        visited++;
        if (!visit(j as JobRt)) {
          // A pass that looks this far should find it all in the cached order next time.
          this.orderCap = Math.min(this.orderCapMax, Math.max(this.orderCap, 2 * (seen + visited)));
          if (seen + visited > this.walkPeak) this.walkPeak = seen + visited;
          if (seen + visited > this.longWalk) this.longWalk = seen + visited;
          if (!recording) return;
          // Cache a little more than this walk needed: the next ones look further as the jobs
          // before start, and a walk past the cached order's end goes on from there and extends it.
          visiting = false;
          slack = this.orderSlack;
        }
      }
      // The end of the queue: the cached order holds all of it.
      if (recording && this.heapSize === 0) this.orderAll = true;
    } finally {
      this.iterating = false;
      this.building = false;
      if (build) this.orderOk = true;
      const revived = this.revivedJobs;
      if (revived.length > 0) {
        this.revivedJobs = [];
        for (const j of revived) if (j.queued) this.placeInOrder(j);
      }
      this.tidy(true);
    }
  }

  /**
   * The first entry of `run` from its start on that sorts after `floor` (of lane `fl`, priority
   * `fp`), as the heap compares them: a binary search of the run's keys, reading a job only
   * when its priority ties the floor's. (Dead entries keep their keys: the run stays sorted.)
   */
  private firstAfter(run: Run, floor: JobRt, fl: Lane, fp: number): number {
    const { keys, ids, jobs } = run;
    const same = run.lane === fl;
    const fk = floor.laneKey as number;
    const off = run.lane.offset;
    let lo = run.start;
    let hi = jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const k = keys[mid] as number;
      const after = same
        ? fk > k || (fk === k && floor.id < (ids[mid] as number))
        : this.headBefore(fp, floor, k + off, jobs[mid] as JobRt);
      if (after) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Whether a head of priority `pa` (job a) comes before one of priority `pb` (job b) of another lane. */
  private headBefore(pa: number, a: JobRt, pb: number, b: JobRt): boolean {
    if (pa !== pb) return pa > pb;
    return a.submittedAt < b.submittedAt || (a.submittedAt === b.submittedAt && a.id < b.id);
  }

  /** The lane a queued job's entry is in. */
  private laneFor(job: JobRt): Lane {
    return (job.capped ? this.capped : this.uncapped).get(job.account.name) as Lane;
  }

  /** Whether queued job `a` comes before queued job `b` in walk order (as the heap of run heads orders them). */
  sortsBefore(a: JobRt, b: JobRt): boolean {
    const la = this.laneFor(a);
    const lb = this.laneFor(b);
    if (la === lb) return laneBefore(a, b);
    return this.headBefore((a.laneKey as number) + la.offset, a, (b.laneKey as number) + lb.offset, b);
  }

  /** A job queued (again) while the cached order is good: it takes its place there, if within it. */
  private placeInOrder(job: JobRt): void {
    if (!this.orderOk || job.orderGen === this.orderGen) return;
    const order = this.order;
    const start = this.orderStart;
    const n = order.length;
    // After the last cached job: a walk finds it in the runs, past the cached order.
    if (!this.orderAll && (n === start || !this.sortsBefore(job, order[n - 1] as JobRt))) return;
    let lo = start;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortsBefore(order[mid] as JobRt, job)) lo = mid + 1;
      else hi = mid;
    }
    job.orderGen = this.orderGen;
    if (start > 0 && lo - start < n - lo) {
      // Nearer the front (jobs queued again mostly sort there): move the entries before it down.
      for (let k = start - 1; k < lo - 1; k++) order[k] = order[k + 1] as JobRt;
      order[lo - 1] = job;
      this.orderStart--;
      // The walk's next entry moved down with them, unless it is at or after the new one's place.
      if (this.iterating && this.orderPos <= lo) this.orderPos--;
    } else {
      insertAt(order, lo, job);
      // Placed before the walk's position: the walk has passed its place (it is not visited).
      if (this.iterating && lo < this.orderPos) this.orderPos++;
    }
    if (order.length - this.orderStart > this.orderCap) {
      (order.pop() as JobRt).orderGen = -1;
      this.orderAll = false;
    }
  }

  /** Drops the dead jobs from the cached order. */
  private sweepOrder(): void {
    const order = this.order;
    let o = 0;
    for (let i = this.orderStart; i < order.length; i++) {
      const j = order[i] as JobRt;
      if (liveInOrder(j)) order[o++] = j;
      else j.orderGen = -1;
    }
    while (order.length > o) order.pop();
    this.orderStart = 0;
  }

  /** Drops the dead jobs at the front of the cached order (started ones pile up there). */
  private dropDeadFront(): void {
    const order = this.order;
    let i = this.orderStart;
    while (i < order.length && !liveInOrder(order[i] as JobRt)) (order[i++] as JobRt).orderGen = -1;
    this.orderStart = i;
    if (i > 1024 && i * 2 > order.length) {
      let o = 0;
      for (; i < order.length; i++) order[o++] = order[i] as JobRt;
      while (order.length > o) order.pop();
      this.orderStart = 0;
    }
  }

  private listRuns(): void {
    this.runList = [];
    for (const lane of this.laneList) for (const r of lane.runs) this.runList.push(r);
    this.runsChanged = false;
  }

  private firstLive(run: Run, i: number): number {
    let c = this.cursor[i] as number;
    const { jobs, lane } = run;
    const reach = this.reach[i] as number;
    while (c < jobs.length && !liveIn(jobs[c] as JobRt, lane)) c++;
    if (c > reach) {
      // Dead entries met for the first time this walk (the visits in between were live).
      this.deadSeen[i] = (this.deadSeen[i] as number) + c - Math.max(reach, this.cursor[i] as number);
      this.reach[i] = c;
    }
    return c;
  }

  /** Files every run's current head in the heap. */
  private fillHeap(n: number): void {
    this.heapSize = 0;
    for (let i = 0; i < n; i++) {
      const run = this.runList[i] as Run;
      const at = this.firstLive(run, i);
      const j = run.jobs[at] ?? null;
      this.heads[i] = j;
      if (j === null) continue;
      this.fileHead(i, run, at);
      this.heap[this.heapSize++] = i;
    }
    for (let k = (this.heapSize >> 1) - 1; k >= 0; k--) this.siftDown(k);
  }

  /** Records entry `at` of run `i` as its head's key, id and priority. */
  private fileHead(i: number, run: Run, at: number): void {
    const key = run.keys[at] as number;
    this.headKey[i] = key;
    this.headId[i] = run.ids[at] as number;
    this.headPrio[i] = key + run.lane.offset;
  }

  /** Run `i` is at the top of the heap: file its entry `at` as its head, or drop the run when past its end. */
  private refileTop(i: number, run: Run, at: number): void {
    const j = run.jobs[at] ?? null;
    this.heads[i] = j;
    if (j === null) {
      this.heap[0] = this.heap[--this.heapSize] as number;
    } else this.fileHead(i, run, at);
    if (this.heapSize > 0) this.siftDown(0);
  }

  /** Whether run a's head comes before run b's. */
  private before(a: number, b: number): boolean {
    // Runs of one lane compare by key, then id, exactly as within a run (one offset added to both).
    if ((this.runList[a] as Run).lane === (this.runList[b] as Run).lane) {
      const ka = this.headKey[a] as number;
      const kb = this.headKey[b] as number;
      return ka > kb || (ka === kb && (this.headId[a] as number) < (this.headId[b] as number));
    }
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

  private laneOf(job: JobRt): Lane {
    const byAccount = job.capped ? this.capped : this.uncapped;
    let lane = byAccount.get(job.account.name);
    if (!lane) {
      lane = { account: job.account.name, capped: job.capped, runs: [], offset: 0, dirty: true };
      lane.offset = this.offsetOf(lane);
      byAccount.set(job.account.name, lane);
      this.laneList.push(lane);
    }
    return lane;
  }

  private offsetOf(lane: Lane): number {
    const fs = this.w.fairshare * this.fairshareOf(lane.account);
    return lane.capped ? fs : fs + (this.w.age * this.clock) / this.w.maxAgeMs;
  }

  /** Files a job in its lane by key (descending), then submission and id (ascending). */
  private insert(job: JobRt): void {
    const stat = this.staticOf(job);
    const key = job.capped ? stat + this.w.age : stat - (this.w.age * job.submittedAt) / this.w.maxAgeMs;
    job.laneKey = key;
    job.laneCapped = job.capped;
    this.entries++;
    const lane = this.laneOf(job);
    this.placeInOrder(job);
    const runs = lane.runs;
    const first = runs[0];
    const n = first === undefined ? 0 : first.jobs.length;
    // The usual case: it goes last.
    if (first !== undefined && (n === first.start || first.before(n - 1, key, job.id))) {
      first.push(job, key, job.id);
      return;
    }
    const last = runs[runs.length - 1];
    if (last !== undefined && last.size < this.smallRun) last.insert(job, key, job.id);
    else {
      const run = new Run(lane);
      run.push(job, key, job.id);
      runs.push(run);
      this.runsChanged = true;
    }
    // Keep each run more than twice the next: a job then takes part in O(log n) merges.
    // (Dead entries ride along; tidy() and compact() drop them.)
    for (let k = runs.length - 1; k > 0; k--) {
      const a = runs[k - 1] as Run;
      const b = runs[k] as Run;
      if (b.size * 2 <= a.size) break;
      a.merge(b);
      runs.pop();
      this.runsChanged = true;
    }
  }

  /** Drops dead entries: from the front of each run at once, elsewhere when they are a quarter. */
  private tidy(sweepRuns: boolean): void {
    // What a walk stepped over it need not step over again: entries that died (most started)
    // leave the stretch it walked, and the live ones close up behind it. Without this a run
    // holding thousands of started jobs was stepped through by every pass until compact().
    // That includes the stretch it only looked through for a run's next live entry: behind a
    // head that stays blocked, the jobs that started pile up, and every pass looked past them.
    // A stretch of live entries with few dead among them is left as it is: moving hundreds of
    // waiting jobs every backfill pass to drop a handful cost more than stepping over those.
    if (sweepRuns && !this.runsChanged) {
      for (let i = 0; i < this.runList.length; i++) {
        const run = this.runList[i] as Run;
        if ((this.deadSeen[i] as number) >= this.sweepFrom) {
          this.sweep(run, Math.max(this.cursor[i] as number, this.reach[i] as number));
          run.lane.dirty = true;
        }
      }
    }
    for (const lane of this.laneList) {
      // (Each run's front is a job record to read: most passes remove nothing from most lanes.)
      if (!lane.dirty) continue;
      lane.dirty = false;
      const runs = lane.runs;
      for (let r = 0; r < runs.length; r++) {
        const run = runs[r] as Run;
        while (run.start < run.jobs.length && !liveIn(run.jobs[run.start] as JobRt, lane)) {
          this.release(run.jobs[run.start] as JobRt, lane);
          run.start++;
        }
        if (run.start === run.jobs.length) {
          // The lane's only run is emptied and kept: in a light load the lane fills again within
          // a pass or two (a job's next tasks become ready), and a new run grew three lists from
          // empty (~600 B, most of a queued job's garbage). Any other empty run is removed, which
          // keeps each run more than twice the next.
          if (runs.length === 1) run.clear();
          else {
            removeAt(runs, r--);
            this.runsChanged = true;
          }
        } else if (run.start > 1024 && run.start * 2 > run.jobs.length) run.shift();
      }
    }
    // Most passes queue nothing mid-walk: no new list then (tidy runs after every walk).
    if (this.incoming.length > 0) {
      const incoming = this.incoming;
      this.incoming = [];
      for (const j of incoming) if (j.queued && j.laneCapped !== j.capped) this.insert(j);
    }
  }

  /** Drops the dead entries of `run` before `end`; the live ones keep their order, just before it. */
  private sweep(run: Run, end: number): void {
    const { jobs, keys, ids, lane } = run;
    let o = end;
    for (let i = end - 1; i >= run.start; i--) {
      const j = jobs[i] as JobRt;
      if (!liveIn(j, lane)) {
        this.release(j, lane);
        continue;
      }
      o--;
      if (o === i) continue;
      jobs[o] = j;
      keys[o] = keys[i] as number;
      ids[o] = ids[i] as number;
    }
    run.start = o;
  }

  /** Full compaction once dead entries are a quarter of all (called between passes). */
  compact(): void {
    if (this.dead < 1024 || this.dead * 4 < this.entries) return;
    let entries = 0;
    for (const lane of this.laneList) {
      const runs = lane.runs;
      // One run per lane afterwards: merge from the tail, then keep the live entries.
      while (runs.length > 1) {
        (runs[runs.length - 2] as Run).merge(runs[runs.length - 1] as Run);
        runs.pop();
      }
      const run = runs[0];
      if (run === undefined) continue;
      run.filter((j) => {
        if (liveIn(j, lane)) return true;
        if (j.laneCapped === lane.capped) j.laneCapped = null;
        return false;
      });
      if (run.size === 0) runs.pop();
      entries += run.size;
    }
    this.entries = entries;
    this.runsChanged = true;
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
    // A read (queue positions, listings) walks to the end: it must not tell the passes' sizing
    // that they ran off the cached order, nor halve their estimate of how far they look.
    // (The order is good after it: rebuilt, or extended by what the read walked.)
    const { longWalk, walkPeak } = this;
    this.walk((j) => {
      out.push(j);
      return true;
    });
    this.longWalk = longWalk;
    this.walkPeak = walkPeak;
    return out;
  }
}
