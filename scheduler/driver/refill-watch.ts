// Where the live scheduler leaves cores free while work waits (#13): the cores the core itself
// sees free, integrated over wall time while at least WAITING_TASKS tasks are pending, split
// into what the last finished pass left free (nothing waiting fit there, or EASY held them: the
// simulator leaves such cores free too) and what completions freed since, by what the driver
// was doing meanwhile (the refill delay, which the simulator does not have: it refills at the
// instant a core frees). A diagnostic: the driver keeps one only when GSCHED_REFILL_TRACE names
// a file, and writes its figures there every few seconds (bench:ngc's live burst reads them).
import { writeFileSync } from 'node:fs';

/**
 * What the driver is doing while freed cores wait:
 * - pass: inside a schedule pass (or a chain of capped ones);
 * - deferred: a pass waits for agents to acknowledge (the dispatch window is full);
 * - gap: a pass waits behind the gap after the last one (a timer);
 * - turn: a pass waits for the next turn of the event loop;
 * - chain: the rest of a capped pass waits for the next turn (CAPPED_CHAIN_MS spent).
 * With no pass due, every free core is one the last pass left free.
 */
export type RefillState = 'pass' | 'deferred' | 'gap' | 'turn' | 'chain' | 'idle';
const STATES: readonly RefillState[] = ['pass', 'deferred', 'gap', 'turn', 'chain', 'idle'];

/** Work "waits" while this many tasks are pending: the one threshold of this trace, the twin's free share and bench:ngc's busy_share_while_waiting. */
export const WAITING_TASKS = 10_000;

export interface RefillFigures {
  /** Wall s with WAITING_TASKS or more tasks pending. */
  waiting_wall_s: number;
  /** Mean share of the cores free meanwhile (as the core sees them). */
  free_share: number;
  /** Of that, what the last finished pass left free. */
  left_by_pass_share: number;
  /** The rest (freed since the last pass), by what the driver was doing. */
  freed_share_by_state: Record<RefillState, number>;
  /** Wall s in each state while waiting. */
  wall_s_by_state: Record<RefillState, number>;
  /** Times a pass began to wait for the dispatch window. */
  deferrals: number;
}

const zeros = (): Record<RefillState, number> => Object.fromEntries(STATES.map((s) => [s, 0])) as Record<RefillState, number>;

export class RefillWatch {
  private last: number;
  private state: RefillState = 'idle';
  private cores = 0;
  private free = 0;
  /** Of `free`, what the last pass not stopped at the start cap left free. */
  private left = 0;
  private pending = 0;
  private waitingMs = 0;
  private leftMs = 0;
  private readonly freedMs = zeros();
  private readonly wallMs = zeros();
  /** Cores of each running task, from its start decision (a completion frees them at once). */
  private readonly coresOf = new Map<number, number>();
  private deferrals = 0;

  /** `file`: where write() puts the figures. */
  constructor(
    now: number,
    private readonly file: string,
  ) {
    this.last = now;
  }

  /** Integrates up to `now` under the state so far, then enters `state`. */
  note(now: number, state: RefillState): void {
    const dt = now - this.last;
    if (dt > 0 && this.pending >= WAITING_TASKS) {
      const left = Math.min(this.left, this.free);
      this.waitingMs += dt;
      this.leftMs += left * dt;
      this.freedMs[this.state] += (this.free - left) * dt;
      this.wallMs[this.state] += dt;
    }
    this.last = now;
    if (state === 'deferred' && this.state !== 'deferred') this.deferrals++;
    this.state = state;
  }

  /** After a pass: what the core says is free and pending (the counts kept between passes drift from it). */
  passed(now: number, cores: number, used: number, pending: number, capped: boolean): void {
    this.note(now, this.state);
    this.cores = cores;
    this.free = cores - used;
    this.pending = pending;
    // A capped pass leaves cores free that its remainder will fill: not a leftover.
    if (!capped) this.left = this.free;
  }

  started(taskId: number, cores: number): void {
    this.coresOf.set(taskId, cores);
  }

  /** A completion applied: its cores are free in the core from now. */
  ended(now: number, taskId: number): void {
    const c = this.coresOf.get(taskId);
    if (c === undefined) return;
    this.coresOf.delete(taskId);
    this.note(now, this.state);
    this.free += c;
  }

  figures(): RefillFigures {
    const share = (coreMs: number): number => (this.waitingMs === 0 || this.cores === 0 ? 0 : Math.round((coreMs / (this.waitingMs * this.cores)) * 10_000) / 10_000);
    let free = this.leftMs;
    for (const s of STATES) free += this.freedMs[s];
    return {
      waiting_wall_s: Math.round(this.waitingMs) / 1000,
      free_share: share(free),
      left_by_pass_share: share(this.leftMs),
      freed_share_by_state: Object.fromEntries(STATES.map((s) => [s, share(this.freedMs[s])])) as Record<RefillState, number>,
      wall_s_by_state: Object.fromEntries(STATES.map((s) => [s, Math.round(this.wallMs[s]) / 1000])) as Record<RefillState, number>,
      deferrals: this.deferrals,
    };
  }

  write(): void {
    writeFileSync(this.file, JSON.stringify(this.figures()) + '\n');
  }
}
