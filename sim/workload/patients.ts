// The patients the workload has seen: their opaque pseudonyms and consent. A patient consents in
// writing before the first analysis; most grant research use, some restrict their data to their
// own treatment. A few later restrict or withdraw (scheduled, applied when their time comes).
import { CONSENT_STATUSES, KeyedHeap, type ConsentStatus, type Ms } from '../../scheduler/core/index.js';
import { hash2, type Rng } from '../../scheduler/pipelines/index.js';

/** Share of new patients who restrict their data to their own treatment (assumption). */
export const RESTRICTED_SHARE = 0.15;
/** Share of patients who later withdraw consent, and of research-granting patients who later restrict (assumptions). */
export const LATER_WITHDRAW_SHARE = 0.003;
export const LATER_RESTRICT_SHARE = 0.005;
/** Consent changes come 30-720 days after the first analysis. */
const CHANGE_AFTER_DAYS = [30, 720] as const;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/**
 * A change waits until no job has listed the patient for this long. The core holds a pending job
 * whose consent changed (ConsentHold) and never runs it, so a change landing on work in flight would
 * leave a job open for ever and read as a scheduling failure; 30 days is far beyond any wait in
 * a working centre.
 */
const QUIET_MS = 30 * DAY_MS;

const NONE = 0;
const CODES: readonly ConsentStatus[] = CONSENT_STATUSES; // stored as 1-based indices
const code = (s: ConsentStatus): number => CODES.indexOf(s) + 1;

export interface ConsentEvent {
  pseudonym: string;
  status: ConsentStatus;
}

export class PatientRegistry {
  private status = new Uint8Array(1024);
  /** Hour (+1) at which a job last listed the patient; 0 for never. */
  private lastUse = new Uint32Array(1024);
  private n = 0;
  /**
   * Each patient's pseudonym, made once: the consent records and every job that lists the
   * patient then hold one string, whose hash the core's consent map computes once and whose
   * lookups match by identity rather than by comparing characters.
   */
  private readonly names: string[] = [];
  /** Consent changes to come, by (time, patient). */
  private readonly pending = new KeyedHeap<{ at: Ms; who: number; to: number }>();

  constructor(
    private readonly seed: number,
    private readonly rng: Rng,
    /** Whether later consent changes are scheduled (not in the burst scenario: no time passes). */
    private readonly changes: boolean,
  ) {}

  get count(): number {
    return this.n;
  }

  /**
   * `P000123AB`: a number and two letters keyed by the seed. Deliberately nothing like a CPR
   * number (DDMMYY-XXXX): a letter first, letters last.
   */
  pseudonym(i: number): string {
    return this.names[i] ?? this.makePseudonym(i);
  }

  private makePseudonym(i: number): string {
    const h = hash2(this.seed, i);
    return `P${String(i + 1).padStart(6, '0')}${String.fromCharCode(65 + (h % 26), 65 + ((h >>> 8) % 26))}`;
  }

  statusOf(i: number): ConsentStatus | null {
    const c = this.status[i] ?? NONE;
    return c === NONE ? null : (CODES[c - 1] as ConsentStatus);
  }

  /** A new patient consenting at `now`; `status` defaults to the modelled granted/restricted mix. */
  admit(now: Ms, out: ConsentEvent[], status?: ConsentStatus): number {
    const s = status ?? (this.rng.chance(RESTRICTED_SHARE) ? 'restricted' : 'granted');
    if (this.n === this.status.length) {
      const status = new Uint8Array(this.status.length * 2);
      status.set(this.status);
      this.status = status;
      const lastUse = new Uint32Array(this.lastUse.length * 2);
      lastUse.set(this.lastUse);
      this.lastUse = lastUse;
    }
    const i = this.n++;
    this.status[i] = code(s);
    this.names.push(this.makePseudonym(i));
    out.push({ pseudonym: this.pseudonym(i), status: s });
    if (this.changes) {
      const later = this.rng.next();
      const to =
        later < LATER_WITHDRAW_SHARE ? 'withdrawn'
        : s === 'granted' && later < LATER_WITHDRAW_SHARE + LATER_RESTRICT_SHARE ? 'restricted'
        : null;
      if (to) {
        const at = now + Math.round(this.rng.uniform(...CHANGE_AFTER_DAYS) * DAY_MS);
        this.pending.push(at, i, { at, who: i, to: code(to) });
      }
    }
    return i;
  }

  /** Applies the consent changes due at or before `now`, appending them to `out`. */
  applyDue(now: Ms, out: ConsentEvent[]): void {
    for (let c = this.pending.peek(); c !== undefined && c.at <= now; c = this.pending.peek()) {
      this.pending.pop();
      const { who, to } = c;
      const used = this.lastUse[who] ?? 0;
      const quietFrom = used === 0 ? 0 : used * HOUR_MS + QUIET_MS; // `used` is the hour after the use
      if (quietFrom > now) {
        this.pending.push(quietFrom, who, { at: quietFrom, who, to });
        continue;
      }
      this.status[who] = to;
      out.push({ pseudonym: this.pseudonym(who), status: CODES[to - 1] as ConsentStatus });
    }
  }

  /** Records that a job submitted at `now` lists patient `i`. */
  use(i: number, now: Ms): void {
    this.lastUse[i] = Math.floor(now / HOUR_MS) + 1;
  }

  /**
   * Up to `k` distinct earlier patients whose consent satisfies `ok`, drawn at random. Returns fewer
   * when there are not enough after a bounded number of tries (early in the centre's life).
   */
  pick(k: number, ok: (s: ConsentStatus) => boolean, rng: Rng): number[] {
    const found: number[] = [];
    if (this.n === 0) return found;
    const seen = new Set<number>();
    for (let tries = 0; found.length < k && tries < 20 * k + 20; tries++) {
      const i = rng.int(this.n);
      if (seen.has(i)) continue;
      seen.add(i);
      const s = this.statusOf(i);
      if (s !== null && ok(s)) found.push(i);
    }
    return found;
  }
}
