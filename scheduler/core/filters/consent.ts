// Consent at dispatch: treatment needs consent on record (granted or restricted), research needs
// granted. Submission checked it too (validate.ts); a record may have changed since.
import { jobConsented } from '../consent-rules.js';
import type { Filter } from './filter.js';

export const consent: Filter = {
  name: 'consent',
  reasons: ['ConsentHold'],
  check(job, s) {
    // Consent found in order stays in order until a consent record changes: a backfill pass
    // filters the same waiting jobs again and again.
    if (job.consentOkAt === s.consentVersion) return null;
    if (!jobConsented(job.purpose, job.pseudonyms, s.consent)) return 'ConsentHold';
    job.consentOkAt = s.consentVersion;
    return null;
  },
};
