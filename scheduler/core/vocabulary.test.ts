import { describe, expect, it } from 'vitest';
import { CONSENT_STATUSES, consentAllows, isPseudonym, looksLikeCpr, PURPOSES, type ConsentStatus, type Purpose } from './vocabulary.js';

describe('the consent rule', () => {
  it('lets treatment read granted or restricted data, research only granted, and nothing read data without consent', () => {
    const table = Object.fromEntries(PURPOSES.map((p: Purpose) => [p, Object.fromEntries([...CONSENT_STATUSES, 'none'].map((s) => [s, consentAllows(p, s === 'none' ? null : (s as ConsentStatus))]))]));
    expect(table).toEqual({
      treatment: { granted: true, restricted: true, withdrawn: false, none: false },
      research: { granted: true, restricted: false, withdrawn: false, none: false },
    });
  });
});

describe('the CPR rule', () => {
  it('knows a CPR number with or without the dash, and refuses it as a pseudonym', () => {
    for (const cpr of ['010203-1234', '0102031234']) {
      expect(looksLikeCpr(cpr)).toBe(true);
      expect(isPseudonym(cpr)).toBe(false);
    }
    expect(looksLikeCpr('P000123AB')).toBe(false);
    expect(isPseudonym('P000123AB')).toBe(true);
    expect(isPseudonym('-x')).toBe(false);
    expect(isPseudonym('x'.repeat(65))).toBe(false);
  });
});
