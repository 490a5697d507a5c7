// The audit entries of a submission, the same whichever route made the job (a job, an analysis,
// one sample of a run): the submission with its actor, and the consent gate's decision on the
// patients it names (admitted, or refused with the rule).
import type { FastifyRequest } from 'fastify';
import type { JobSpec } from '../core/index.js';
import type { Accepted } from '../driver/index.js';
import type { AuditDetail } from '../security/index.js';

export async function auditSubmission(req: FastifyRequest, action: string, job: JobSpec, r: Accepted<{ displayIds: string[]; replayed?: boolean }>, detail: AuditDetail): Promise<void> {
  const pseudonyms = job.pseudonyms ?? [];
  if (!r.ok) {
    const consent = r.error.code.startsWith('CONSENT_');
    await req.audit({ action: consent ? 'consent.refuse' : action, object: `new job ${JSON.stringify(job.name)}`, outcome: 'refused', pseudonyms, detail: { ...detail, code: r.error.code, reason: r.error.message } });
    return;
  }
  const replayed = r.value.replayed === true;
  const object = `job ${r.value.displayIds.join(',')}`;
  await req.audit({ action, object, outcome: replayed ? 'replayed' : 'ok', pseudonyms, detail });
  if (pseudonyms.length > 0 && !replayed) await req.audit({ action: 'consent.admit', object, outcome: 'admitted', pseudonyms, detail: { purpose: job.purpose ?? null } });
}
