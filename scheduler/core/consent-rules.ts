// The consent rules, in one place: which consent lets which purpose read a patient's data.
// Submission (validate.ts), dispatch (filters/consent.ts) and running work (consent changes in
// core-state.ts) all ask these, so the three can never disagree.
import type { ConsentStatus, Purpose } from './types.js';

/**
 * Treatment needs written consent on record (granted, or restricted to the patient's own
 * treatment); research needs consent granted and no restriction. Withdrawn, or nothing on
 * record, allows nothing.
 */
export function consentAllows(purpose: Purpose, status: ConsentStatus | undefined | null): boolean {
  return purpose === 'treatment' ? status === 'granted' || status === 'restricted' : status === 'granted';
}

/** Whether every patient the job reads allows its purpose. */
export function jobConsented(purpose: Purpose, pseudonyms: readonly string[], consent: ReadonlyMap<string, ConsentStatus>): boolean {
  for (const p of pseudonyms) if (!consentAllows(purpose, consent.get(p))) return false;
  return true;
}
