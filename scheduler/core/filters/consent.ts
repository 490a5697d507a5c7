// Consent at dispatch, by the consent rule (vocabulary.ts). Submission checked it too
// (validate.ts); a record may have changed since.
import { consentAllows } from '../vocabulary.js';
import type { Filter } from './filter.js';

export const consent: Filter = {
  name: 'consent',
  reasons: ['ConsentHold'],
  check(job, s) {
    // Consent found in order stays in order until a consent record changes: a backfill pass
    // filters the same waiting jobs again and again.
    if (job.consentOkAt === s.consentVersion) return null;
    for (const p of job.pseudonyms) {
      if (!consentAllows(job.purpose, s.consent.get(p))) return 'ConsentHold';
    }
    job.consentOkAt = s.consentVersion;
    return null;
  },
};
