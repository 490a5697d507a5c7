// The consent rules, in one place: which consent lets which purpose read a patient's data
// (consentAllows, in vocabulary.ts) and whether a whole job may run. Submission (validate.ts),
// dispatch (filters/consent.ts) and running work (consent changes in core-state.ts) all ask
// these, so the three can never disagree.
import type { ConsentStatus } from './types.js';
import { consentAllows } from './vocabulary.js';
import type { Purpose } from './types.js';

/** Whether every patient the job reads allows its purpose. */
export function jobConsented(purpose: Purpose, pseudonyms: readonly string[], consent: ReadonlyMap<string, ConsentStatus>): boolean {
  for (const p of pseudonyms) if (!consentAllows(purpose, consent.get(p))) return false;
  return true;
}
