// Power saving, as Slurm's power_save does: nodes idle longer than SuspendTime are suspended,
// and suspended nodes are resumed when waiting work needs them. A policy step at the end of
// each pass, pure like the rest of the core: it reads the state and the time, and answers
// with `powerDown` / `powerUp` decisions and a time to be woken. A resumed node boots (the
// simulator or its agent takes the modelled resume delay) and takes work only once a
// `poweredUp` event says it is up; past ResumeTimeout without one it is marked DOWN.
//
// Who stays awake, in order:
//   1. nodes with work, and nodes that waiting work has been fitted onto;
//   2. the reserve: whole idle nodes worth `reserveCores`, the most preferred first (warm
//      water, whose heat is recovered), kept for urgent work and resumed to restore it;
//   3. SuspendExcNodes.
// Suspension takes the least preferred idle nodes first (air cooled before warm water), and
// resumption the most preferred first.
import type { CoreState } from './core-state.js';
import { runFilters } from './filters/index.js';
import { NEVER, type JobRt, type NodeRt, type TaskRt } from './state.js';
import type { Ms, PowerSaveConfig } from './types.js';

/** The most waiting jobs one fit looks at (as bf_max_job_test bounds a backfill pass). */
export const POWER_FIT_DEPTH = 200;

export class PowerSaver {
  /** Every node, most preferred first (warm water, then configuration order). */
  private readonly byPref: NodeRt[];
  private readonly excluded: Uint8Array;
  /** Cores and memory of each node that waiting tasks were fitted onto in the latest fit. */
  private readonly claimCores: Int32Array;
  private readonly claimMem: Float64Array;
  /** Nodes resumed and not yet reported up, oldest first (entries of nodes since up are dropped lazily). */
  private booting: NodeRt[] = [];
  /** The queue and node versions the latest fit saw: no refit until one changes. */
  private fitQueue = -1;
  private fitNodes = -1;
  /** Bumped by every power or node change this step makes or sees. */
  private nodeChanges = 0;
  /** When the next idle node reaches SuspendTime (NEVER when none is waiting to). */
  private nextSuspend: Ms = NEVER;
  /** Jobs the current fit looked at, and suspended nodes it may still resume. */
  private fitted = 0;
  private offLeft = 0;
  /** The walk's visitor, bound once (no closure per pass). */
  private readonly visit = (job: JobRt): boolean => this.fitJob(job);

  constructor(
    private readonly s: CoreState,
    private readonly cfg: PowerSaveConfig,
  ) {
    this.byPref = [...s.nodeList].sort((a, b) => a.pref - b.pref);
    this.excluded = new Uint8Array(s.nodeList.length);
    for (const name of cfg.suspendExcNodes) {
      const n = s.nodeByName.get(name);
      if (n) this.excluded[n.idx] = 1;
    }
    this.claimCores = new Int32Array(s.nodeList.length);
    this.claimMem = new Float64Array(s.nodeList.length);
  }

  /** The step, at the end of a pass (after placement, so work takes idle nodes before they are suspended). */
  step(): void {
    const s = this.s;
    this.timeouts();
    if (s.powerDirty) this.nodeChanges++;
    if (s.waiting.size > 0 && (s.queueChanges !== this.fitQueue || this.nodeChanges !== this.fitNodes)) this.fit();
    else if (s.waiting.size === 0 && this.fitQueue !== -2) this.clearClaims();
    if (s.powerDirty || (this.nextSuspend !== NEVER && this.nextSuspend <= s.now)) {
      s.powerDirty = false;
      this.scan();
    }
  }

  /** The earliest time the step must run again though nothing happens. */
  wakeAt(): Ms | null {
    let at = this.nextSuspend === NEVER ? Infinity : this.nextSuspend;
    for (const n of this.booting) if (n.power === 'booting' && n.bootAt + this.cfg.resumeTimeoutMs < at) at = n.bootAt + this.cfg.resumeTimeoutMs;
    return at === Infinity ? null : at;
  }

  /** Booting nodes past ResumeTimeout are marked DOWN, as Slurm does; an agent's hello brings them back. */
  private timeouts(): void {
    const s = this.s;
    if (this.booting.length === 0) return;
    const still: NodeRt[] = [];
    for (const n of this.booting) {
      if (n.power !== 'booting') continue;
      if (s.now >= n.bootAt + this.cfg.resumeTimeoutMs) s.setNode(n, false, n.drain);
      else still.push(n);
    }
    this.booting = still;
  }

  private clearClaims(): void {
    this.claimCores.fill(0);
    this.claimMem.fill(0);
    this.fitQueue = -2;
  }

  /**
   * Fits the waiting work that could start now were there nodes for it: each ready task of a
   * job that passes the job filters goes onto the capacity of booting nodes first, else a
   * suspended node is resumed for it. Work the pass just failed to place on awake nodes is
   * what waits, so awake capacity is not counted again.
   */
  private fit(): void {
    const s = this.s;
    this.clearClaims();
    this.fitQueue = s.queueChanges;
    this.fitNodes = this.nodeChanges;
    this.fitted = 0;
    this.offLeft = 0;
    for (const n of this.byPref) if (n.power === 'off' && n.up && !n.drain) this.offLeft++;
    // Nothing to resume and nothing booting (a busy machine): nothing to fit.
    if (this.offLeft === 0 && !this.booting.some((n) => n.power === 'booting')) return;
    s.waiting.walk(this.visit);
    // Resumes made here changed the nodes; what they are fitted to is already claimed.
    this.fitNodes = this.nodeChanges;
  }

  private fitJob(job: JobRt): boolean {
    if (++this.fitted > POWER_FIT_DEPTH) return false;
    if (this.offLeft === 0 && !this.booting.some((n) => n.power === 'booting')) return false;
    if (runFilters(job, this.s) !== null) return true;
    for (let k = 0; k < job.ready.length; k++) {
      const t = job.ready[k] as TaskRt;
      if (t.state === 'PENDING' && !this.claimBooting(t)) this.resumeFor(t);
    }
    return true;
  }

  private fits(n: NodeRt, t: TaskRt): boolean {
    return (
      t.job.partition.member[n.idx] === 1 &&
      n.up &&
      !n.drain &&
      n.spec.cores - (this.claimCores[n.idx] as number) >= t.cores &&
      n.spec.memMb - (this.claimMem[n.idx] as number) >= t.memMb
    );
  }

  private claim(n: NodeRt, t: TaskRt): void {
    this.claimCores[n.idx] = (this.claimCores[n.idx] as number) + t.cores;
    this.claimMem[n.idx] = (this.claimMem[n.idx] as number) + t.memMb;
  }

  private claimBooting(t: TaskRt): boolean {
    for (const n of this.booting) {
      if (n.power === 'booting' && this.fits(n, t)) {
        this.claim(n, t);
        return true;
      }
    }
    return false;
  }

  private resumeFor(t: TaskRt): void {
    if (this.offLeft === 0) return;
    for (const n of this.byPref) {
      if (n.power === 'off' && this.fits(n, t)) {
        this.offLeft--;
        this.resume(n);
        this.claim(n, t);
        return;
      }
    }
  }

  private resume(n: NodeRt): void {
    this.s.powerUp(n);
    this.booting.push(n);
    this.nodeChanges++;
  }

  /**
   * Suspends idle nodes past SuspendTime beyond the reserve (least preferred first), and
   * resumes suspended nodes (most preferred first) when the reserve is short.
   */
  private scan(): void {
    const s = this.s;
    const now = s.now;
    const reserve = this.cfg.reserveCores;
    let idleAwake = 0;
    let next = Infinity;
    const due: NodeRt[] = [];
    for (const n of this.byPref) {
      if (!n.up || n.drain) continue;
      const claimed = (this.claimCores[n.idx] as number) > 0;
      if (n.power === 'booting') {
        if (!claimed) idleAwake += n.spec.cores;
        continue;
      }
      if (n.power !== 'on' || n.running.size > 0 || claimed) continue;
      if (n.idleAt === NEVER) n.idleAt = now;
      idleAwake += n.spec.cores;
      if (this.excluded[n.idx] === 1) continue;
      const at = n.idleAt + this.cfg.suspendTimeMs;
      if (at <= now) due.push(n);
      else if (at < next) next = at;
    }
    // Least preferred first; what the reserve keeps stays awake until another node idles.
    for (let i = due.length - 1; i >= 0; i--) {
      const n = due[i] as NodeRt;
      if (idleAwake - n.spec.cores < reserve) continue;
      idleAwake -= n.spec.cores;
      s.powerOff(n);
      this.nodeChanges++;
    }
    if (idleAwake < reserve) {
      for (const n of this.byPref) {
        if (idleAwake >= reserve) break;
        if (n.power !== 'off' || !n.up || n.drain) continue;
        this.resume(n);
        idleAwake += n.spec.cores;
      }
    }
    // The changes above were this step's own: nothing new to look at until the next event.
    s.powerDirty = false;
    this.nextSuspend = next === Infinity ? NEVER : next;
  }
}
