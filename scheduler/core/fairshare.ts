// Fair-share over the account tree with Slurm's Fair Tree algorithm.
//
// Usage is core-milliseconds, decayed with a half-life and accrued continuously while tasks
// run (so a busy account's standing moves while its work is still running, not only when it
// ends). Fair Tree ranks every account by walking the tree: at each level siblings are
// ordered by level fairshare LF = (shares / siblings' shares) / (usage / siblings' usage),
// higher first; an account's factor is (N - rank) / N, so the most under-served gets 1.
import type { AccountSpec, Ms } from './types.js';

export interface FairShareView {
  account: string;
  parent: string | null;
  shares: number;
  usageCoreMs: number;
  factor: number;
}

interface Acct {
  spec: AccountSpec;
  parent: Acct | null;
  children: Acct[];
  /** Decayed usage charged to this account itself. */
  usage: number;
  /** Cores its tasks hold right now. */
  runningCores: number;
  /** Usage of the account and all below it, refreshed by rank(). */
  subtree: number;
  factor: number;
}

export class FairShare {
  private readonly accts = new Map<string, Acct>();
  private readonly roots: Acct[] = [];
  private last: Ms | null = null;

  constructor(
    accounts: readonly AccountSpec[],
    private readonly halfLifeMs: Ms,
  ) {
    for (const spec of accounts) {
      this.accts.set(spec.name, { spec, parent: null, children: [], usage: 0, runningCores: 0, subtree: 0, factor: 1 });
    }
    for (const a of this.accts.values()) {
      const p = a.spec.parent === undefined ? undefined : this.accts.get(a.spec.parent);
      if (p) {
        a.parent = p;
        p.children.push(a);
      } else this.roots.push(a);
    }
  }

  has(account: string): boolean {
    return this.accts.has(account);
  }

  /** Decays usage to `now` and adds what running tasks used since the last call. */
  accrue(now: Ms): void {
    if (this.last === null || now <= this.last) {
      this.last = this.last === null ? now : Math.max(this.last, now);
      return;
    }
    const dt = now - this.last;
    this.last = now;
    const keep = Math.pow(2, -dt / this.halfLifeMs);
    // Exact integral of r·2^(-(dt-s)/h) over [0, dt]: running work decays within the step too.
    const gain = (this.halfLifeMs / Math.LN2) * (1 - keep);
    for (const a of this.accts.values()) a.usage = a.usage * keep + a.runningCores * gain;
  }

  /** Call with +cores when a task starts and -cores when it stops (after accrue(now)). */
  running(account: string, deltaCores: number): void {
    const a = this.accts.get(account);
    if (a) a.runningCores += deltaCores;
  }

  /** Recomputes every account's Fair Tree factor; cheap (accounts are few). */
  rank(): void {
    const subtree = (a: Acct): number => {
      a.subtree = a.usage;
      for (const c of a.children) a.subtree += subtree(c);
      return a.subtree;
    };
    for (const r of this.roots) subtree(r);

    // Each account's key is its path of level fairshares from the root. Leaves (the accounts
    // jobs are charged to) are ranked by comparing keys level by level, higher LF first; keys
    // equal down to where one path ends tie and share a rank.
    const leaves: { a: Acct; key: number[] }[] = [];
    const walk = (level: Acct[], prefix: number[]): void => {
      let shares = 0;
      let usage = 0;
      for (const s of level) {
        shares += s.spec.shares;
        usage += s.subtree;
      }
      for (const s of level) {
        const sNorm = shares > 0 ? s.spec.shares / shares : 0;
        const uNorm = usage > 0 ? s.subtree / usage : 0;
        const lf = uNorm > 0 ? sNorm / uNorm : sNorm > 0 ? Number.MAX_VALUE : 0;
        const key = [...prefix, lf];
        if (s.children.length === 0) leaves.push({ a: s, key });
        else walk(s.children, key);
      }
    };
    walk(this.roots, []);
    leaves.sort((x, y) => compareKeys(x.key, y.key) || (x.a.spec.name < y.a.spec.name ? -1 : 1));
    const n = leaves.length;
    let rank = 0;
    leaves.forEach((k, i) => {
      const prev = leaves[i - 1];
      if (prev && compareKeys(prev.key, k.key) !== 0) rank = i;
      k.a.factor = (n - rank) / n;
    });
    // A job charged to an inner account stands as well as its best-placed department.
    const inner = (a: Acct): number => {
      if (a.children.length === 0) return a.factor;
      a.factor = Math.max(...a.children.map(inner));
      return a.factor;
    };
    for (const r of this.roots) inner(r);
  }

  factor(account: string): number {
    return this.accts.get(account)?.factor ?? 0;
  }

  view(): FairShareView[] {
    return [...this.accts.values()].map((a) => ({
      account: a.spec.name,
      parent: a.parent?.spec.name ?? null,
      shares: a.spec.shares,
      usageCoreMs: Math.round(a.usage),
      factor: a.factor,
    }));
  }
}

/** Higher level fairshare first, level by level; equal down to the shorter path is a tie. */
function compareKeys(x: number[], y: number[]): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const a = x[i] as number;
    const b = y[i] as number;
    if (a !== b) return a > b ? -1 : 1;
  }
  return 0;
}
