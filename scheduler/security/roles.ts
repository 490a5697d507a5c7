// Who may do what: one role per token. The routes declare the roles they admit (see
// scheduler/api/auth.ts); admin is admitted everywhere.

export const ROLES = ['admin', 'operator', 'submitter', 'consent-officer', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}

/** The identity a request acts as: a token's, or the scheduler's own for its decisions. */
export interface Principal {
  /** Token id (`t_…`), `system` for the scheduler itself, `anonymous` before authentication. */
  id: string;
  /** The token's name: the identity recorded as a job's owner and in the audit log. */
  name: string;
  role: Role | 'system' | 'anonymous';
  /** The accounts a submitter may use; empty for other roles. */
  accounts: string[];
}

export const SYSTEM: Principal = { id: 'system', name: 'scheduler', role: 'system', accounts: [] };
export const ANONYMOUS: Principal = { id: 'anonymous', name: 'anonymous', role: 'anonymous', accounts: [] };

/** Roles that see patient pseudonyms in job views (a viewer sees the queue without them). */
export function seesPseudonyms(p: Principal): boolean {
  return p.role !== 'viewer';
}

/** Roles that see and act on every account's jobs; a submitter only its own accounts'. */
export function seesAllJobs(p: Principal): boolean {
  return p.role === 'admin' || p.role === 'operator' || p.role === 'auditor' || p.role === 'viewer' || p.role === 'system';
}

export function mayTouchAccount(p: Principal, account: string): boolean {
  return seesAllJobs(p) || p.accounts.includes(account);
}
