// What a submitter may do to its own accounts' jobs, as Slurm lets a user: hold them and lift
// its own holds (never an operator's), shorten a time limit, give priority away (never gain
// it), and change the QoS within what its account may use (the core checks that for everyone).
// Operators and admins are not limited here; which jobs a submitter sees is checked before.
import type { JobSpec, JobUpdate } from '../../contract/index.js';
import type { JobView } from '../core/index.js';
import type { Principal } from '../security/index.js';
import { ApiProblem } from './errors.js';

export type HoldKind = 'user' | 'admin';

/** A time limit as Slurm writes one: [D-]HH:MM:SS. */
function span(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const hms = [Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((x) => String(x).padStart(2, '0')).join(':');
  return d > 0 ? `${d}-${hms}` : hms;
}

/** The hold kind a request acts with: an operator's default is an operator hold, a submitter's is always its own. */
export function holdKind(p: Principal, asked: HoldKind | undefined, verb: 'hold' | 'release'): HoldKind {
  if (p.role !== 'submitter') return asked ?? 'admin';
  if (asked === 'admin') {
    throw new ApiProblem('FORBIDDEN', `a submitter ${verb === 'hold' ? 'holds' : 'releases'} its jobs as their owner (kind user, JobHeldUser); an operator hold is for operators`, 'kind');
  }
  return 'user';
}

const negativeNice = (nice: number, where: string): ApiProblem =>
  new ApiProblem('FORBIDDEN', `${where} ${nice} would raise the job above others: only an operator may give a negative nice (a submitter may give priority away, 0 or more)`, where);

/** A submitter submits to its own accounts, as itself, and gives no negative nice. */
export function checkOwnerSubmit(p: Principal, spec: JobSpec): void {
  if (p.role !== 'submitter') return;
  if (!p.accounts.includes(spec.account)) {
    throw new ApiProblem('ACCOUNT_NOT_ALLOWED', `token ${p.name} may submit to ${p.accounts.join(', ')}, not to account ${spec.account}`, 'account');
  }
  if (spec.owner !== undefined && spec.owner !== p.name) {
    throw new ApiProblem('OWNER_NOT_ALLOWED', `the owner of a job is the submitting token's identity (${p.name}); leave owner out`, 'owner');
  }
  if (spec.nice !== undefined && spec.nice < 0) throw negativeNice(spec.nice, 'nice');
}

/** An update's limits for a submitter: no negative nice, no longer time limit. */
export function checkOwnerUpdate(p: Principal, view: JobView, c: JobUpdate): void {
  if (p.role !== 'submitter') return;
  if (c.nice !== undefined && c.nice < 0) throw negativeNice(c.nice, 'nice');
  if (c.timeLimitMs !== undefined) {
    const current = Math.min(...view.tasks.filter((t) => t.state === 'PENDING').map((t) => t.timeLimitMs));
    if (Number.isFinite(current) && c.timeLimitMs > current) {
      throw new ApiProblem('FORBIDDEN', `timeLimitMs ${c.timeLimitMs} (${span(c.timeLimitMs)}) is longer than the job's ${current} (${span(current)}): a submitter may shorten a time limit; an operator lengthens it`, 'timeLimitMs');
    }
  }
}
