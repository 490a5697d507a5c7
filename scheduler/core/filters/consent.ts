// Consent at dispatch: treatment needs consent on record (granted or restricted), research needs
// granted. Submission checked it too (validate.ts); a record may have changed since.
import type { Filter } from './filter.js';

export const consent: Filter = {
  name: 'consent',
  reasons: ['ConsentHold'],
  check(job, s) {
    // Consent found in order stays in order until a consent record changes: a backfill pass
    // filters the same waiting jobs again and again.
    if (job.consentOkAt === s.consentVersion) return null;
    for (const p of job.pseudonyms) {
      const st = s.consent.get(p);
      if (job.purpose === 'treatment' ? st !== 'granted' && st !== 'restricted' : st !== 'granted') return 'ConsentHold';
    }
    job.consentOkAt = s.consentVersion;
    return null;
  },
};
