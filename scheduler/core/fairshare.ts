// Fair-share over the account tree with Slurm's Fair Tree algorithm.
//
// Usage is core-milliseconds, decayed with a half-life and accrued continuously while tasks
// run (so a busy account's standing moves while its work is still running, not only when it
// ends). Fair Tree ranks every account by walking the tree: at each level siblings are
// ordered by level fairshare LF = (shares / siblings' shares) / (usage / siblings' usage),
// higher first; an account's factor is (N - rank) / N, so the most under-served gets 1.
import type { AccountSpec, Ms } from './types.js';
import { sortInPlace } from './lists.js';

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
  /** Time its usage was last brought up to date (accrual is lazy, per account). */
  at: Ms;
  /** Usage of the account and all below it, refreshed by rank(). */
  subtree: number;
  /** Level fairshare among its siblings, refreshed by rank(). */
  lf: number;
  /** Itself and its ancestors, root first: the path leaves are compared along. */
  path: Acct[];
  factor: number;
}

export class FairShare {
  private readonly accts = new Map<string, Acct>();
  private readonly roots: Acct[] = [];
  /** Accounts parents-first (pre-order), and the leaves that rank() orders in place. */
  private readonly preorder: Acct[] = [];
  private readonly leaves: Acct[] = [];
  private lastDt = 0;
  private lastKeep = 1;
  /** The account `running` found last, by name (null before the first). */
  private lastName: string | null = null;
  private lastAcct: Acct | undefined = undefined;

  constructor(
    accounts: readonly AccountSpec[],
    private readonly halfLifeMs: Ms,
  ) {
    for (const spec of accounts) {
      this.accts.set(spec.name, { spec, parent: null, children: [], usage: 0, runningCores: 0, at: 0, subtree: 0, lf: 0, path: [], factor: 1 });
    }
    for (const a of this.accts.values()) {
      const p = a.spec.parent === undefined ? undefined : this.accts.get(a.spec.parent);
      if (p) {
        a.parent = p;
        p.children.push(a);
      } else this.roots.push(a);
    }
    const visit = (a: Acct, path: Acct[]): void => {
      a.path = [...path, a];
      this.preorder.push(a);
      if (a.children.length === 0) this.leaves.push(a);
      for (const c of a.children) visit(c, a.path);
    };
    for (const r of this.roots) visit(r, []);
  }

  /** Takes over the usage of the accounts `old` also has (a reconfigure keeps what was used). */
  carryFrom(old: FairShare): void {
    for (const [name, a] of this.accts) {
      const o = old.accts.get(name);
      if (!o) continue;
      a.usage = o.usage;
      a.runningCores = o.runningCores;
      a.at = o.at;
    }
    this.lastDt = 0;
  }

  has(account: string): boolean {
    return this.accts.has(account);
  }

  /** Decays an account's usage to `now` and adds what its running tasks used meanwhile. */
  private accrue(a: Acct, now: Ms): void {
    if (now <= a.at) return;
    const dt = now - a.at;
    a.at = now;
    // Most steps are one priority period long: reuse the last decay factor (same value, no pow).
    if (dt !== this.lastDt) {
      this.lastDt = dt;
      this.lastKeep = Math.pow(2, -dt / this.halfLifeMs);
    }
    const keep = this.lastKeep;
    // Exact integral of r·2^(-(dt-s)/h) over [0, dt]: running work decays within the step too.
    a.usage = a.usage * keep + (a.runningCores > 0 ? a.runningCores * (this.halfLifeMs / Math.LN2) * (1 - keep) : 0);
  }

  /** A task of `account` started (+cores) or stopped (-cores) at `now`. */
  running(account: string, deltaCores: number, now: Ms): void {
    // Called at every task start and end, mostly for the account of the call before.
    const a = account === this.lastName ? this.lastAcct : this.accts.get(account);
    if (!a) return;
    this.lastName = account;
    this.lastAcct = a;
    this.accrue(a, now);
    a.runningCores += deltaCores;
  }

  /** Recomputes every account's Fair Tree factor. Allocation-free: it runs every priority period. */
  rank(now: Ms): void {
    const pre = this.preorder;
    for (const a of pre) {
      this.accrue(a, now);
      a.subtree = a.usage;
    }
    for (let i = pre.length - 1; i >= 0; i--) {
      const a = pre[i] as Acct;
      if (a.parent) a.parent.subtree += a.subtree;
    }
    this.levelFairshare(this.roots);
    for (const a of pre) if (a.children.length > 0) this.levelFairshare(a.children);
    // Leaves in Fair Tree order; leaves equal along their common path share a rank.
    const leaves = this.leaves;
    sortInPlace(leaves, byPathThenName);
    const n = leaves.length;
    let rank = 0;
    for (let i = 0; i < n; i++) {
      const leaf = leaves[i] as Acct;
      if (i > 0 && comparePaths(leaves[i - 1] as Acct, leaf) !== 0) rank = i;
      leaf.factor = (n - rank) / n;
    }
    // A job charged to an inner account stands as well as its best-placed department.
    for (let i = pre.length - 1; i >= 0; i--) {
      const a = pre[i] as Acct;
      if (a.children.length === 0) continue;
      let best = 0;
      for (const c of a.children) if (c.factor > best) best = c.factor;
      a.factor = best;
    }
  }

  /** LF = (shares / siblings' shares) / (usage / siblings' usage); unused accounts rank first. */
  private levelFairshare(siblings: readonly Acct[]): void {
    let shares = 0;
    let usage = 0;
    for (const s of siblings) {
      shares += s.spec.shares;
      usage += s.subtree;
    }
    for (const s of siblings) {
      const sNorm = shares > 0 ? s.spec.shares / shares : 0;
      const uNorm = usage > 0 ? s.subtree / usage : 0;
      s.lf = uNorm > 0 ? sNorm / uNorm : sNorm > 0 ? Number.MAX_VALUE : 0;
    }
  }

  factor(account: string): number {
    return this.accts.get(account)?.factor ?? 0;
  }

  view(): FairShareView[] {
    return [...this.accts.values()].map((a) => ({
      account: a.spec.name,
      parent: a.parent?.spec.name ?? null,
      shares: a.spec.shares,
      usageCoreMs: Math.round(a.subtree), // its own and its sub-accounts', as sshare's RawUsage
      factor: a.factor,
    }));
  }
}

/** Higher level fairshare first, level by level; equal down to the shorter path is a tie. */
function comparePaths(x: Acct, y: Acct): number {
  const n = Math.min(x.path.length, y.path.length);
  for (let i = 0; i < n; i++) {
    const a = (x.path[i] as Acct).lf;
    const b = (y.path[i] as Acct).lf;
    if (a !== b) return a > b ? -1 : 1;
  }
  return 0;
}

const byPathThenName = (x: Acct, y: Acct): number => comparePaths(x, y) || (x.spec.name < y.spec.name ? -1 : 1);
