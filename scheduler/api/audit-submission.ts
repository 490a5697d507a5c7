// The audit entries of a submission, the same whichever route made the job (a job, an analysis,
// one sample of a run): the submission with its actor, and the consent gate's decision on the
// patients it names (admitted, or refused with the rule).
import type { FastifyRequest } from 'fastify';
import type { JobSpec } from '../core/index.js';
import type { Accepted } from '../driver/index.js';
import type { AuditDetail } from '../security/index.js';

export function auditSubmission(req: FastifyRequest, action: string, job: JobSpec, r: Accepted<{ displayIds: string[]; replayed?: boolean }>, detail: AuditDetail): Promise<void> {
  const pseudonyms = job.pseudonyms ?? [];
  if (!r.ok) {
    const consent = r.error.code.startsWith('CONSENT_');
    return req.audit({ action: consent ? 'consent.refuse' : action, object: `new job ${JSON.stringify(job.name)}`, outcome: 'refused', pseudonyms, detail: { ...detail, code: r.error.code, reason: r.error.message } });
  }
  const replayed = r.value.replayed === true;
  const object = `job ${r.value.displayIds.join(',')}`;
  // Both entries take their places in the chain now; one wait for the two writes.
  const submitted = req.audit({ action, object, outcome: replayed ? 'replayed' : 'ok', pseudonyms, detail });
  if (pseudonyms.length === 0 || replayed) return submitted;
  return Promise.all([submitted, req.audit({ action: 'consent.admit', object, outcome: 'admitted', pseudonyms, detail: { purpose: job.purpose ?? null } })]).then(() => undefined);
}

/** One sample of a sequencing run, as submitted. */
export interface RunSampleOutcome {
  sample: number;
  class: string;
  job: JobSpec;
  r: Accepted<{ displayIds: string[]; replayed?: boolean }>;
}

/**
 * The audit entries of a run's samples: a refused sample gets its own entry (with the rule
 * that refused it), as a single submission does; the admitted ones share one `run.sample` entry
 * and one `consent.admit` entry carrying all their patients and, per job, its sample, purpose and
 * own patients: an auditor following one patient finds the entry and reads off which job holds
 * that patient's data, not just the run's. Per sample, two entries cost more than the submission
 * itself in a burst of runs.
 */
export function auditRunSamples(req: FastifyRequest, run: { run: string; lab: string }, outcomes: readonly RunSampleOutcome[]): Promise<void> {
  const writes: Promise<void>[] = [];
  const admitted: string[] = [];
  const jobs: string[] = [];
  const pseudonyms: string[] = [];
  const seen = new Set<string>();
  for (const o of outcomes) {
    if (!o.r.ok) {
      writes.push(auditSubmission(req, 'run.sample', o.job, o.r, { run: run.run, lab: run.lab, sample: o.sample, class: o.class }));
      continue;
    }
    admitted.push(`sample ${o.sample} ${o.class} job ${o.r.value.displayIds.join(',')}`);
    const own = o.job.pseudonyms ?? [];
    if (own.length > 0) jobs.push(`job ${o.r.value.displayIds.join(',')} sample ${o.sample} purpose ${o.job.purpose ?? 'unset'}: ${own.join(',')}`);
    for (const p of own) {
      if (!seen.has(p)) pseudonyms.push(p);
      seen.add(p);
    }
  }
  if (admitted.length > 0) {
    const object = `run ${run.run}: ${admitted.length} sample${admitted.length === 1 ? '' : 's'}`;
    writes.push(req.audit({ action: 'run.sample', object, outcome: 'ok', pseudonyms, detail: { run: run.run, lab: run.lab, samples: admitted } }));
    if (pseudonyms.length > 0) writes.push(req.audit({ action: 'consent.admit', object, outcome: 'admitted', pseudonyms, detail: { jobs } }));
  }
  return Promise.all(writes).then(() => undefined);
}
