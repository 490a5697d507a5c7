import { describe, expect, it } from 'vitest';
import { CLASSES, PipelineError, buildAnalysis } from './index.js';

describe('pipeline templates', () => {
  it('build every class with defaults: nominal durations, the lab owner and account', () => {
    for (const cls of CLASSES) {
      const pseudonyms = cls.name === 'wgs-trio' ? ['P1', 'P2', 'P3'] : ['P1'];
      const job = buildAnalysis({ class: cls.name, pseudonyms, lab: 'west' });
      expect(job.class).toBe(cls.name);
      expect(job.tasks.length).toBeGreaterThan(0);
      expect(job.qos).toBe(cls.qos);
      expect(job.owner).toBe(cls.purpose === 'research' ? 'research-ngc' : 'pipeline-west');
      // Nominal: the same request gives the same job.
      expect(buildAnalysis({ class: cls.name, pseudonyms, lab: 'west' })).toEqual(job);
    }
    expect(buildAnalysis({ class: 'wgs-tumour-normal', pseudonyms: ['P1'], lab: 'east' }).account).toBe('rh-oncology');
  });

  it('refuse bad requests with a coded error naming the field', () => {
    const err = (f: () => unknown): PipelineError => {
      try {
        f();
      } catch (e) {
        if (e instanceof PipelineError) return e;
        throw e;
      }
      throw new Error('no error');
    };
    expect(err(() => buildAnalysis({ class: 'wgs-quad', pseudonyms: ['P1'] }))).toMatchObject({ code: 'UNKNOWN_CLASS', field: 'class' });
    expect(err(() => buildAnalysis({ class: 'wgs-trio', pseudonyms: ['P1'] }))).toMatchObject({ code: 'PSEUDONYM_COUNT', field: 'pseudonyms' });
    expect(err(() => buildAnalysis({ class: 'wgs-trio', pseudonyms: ['P1'] })).message).toMatch(/exactly 3 pseudonyms, got 1/);
    expect(err(() => buildAnalysis({ class: 'panel', pseudonyms: [] }))).toMatchObject({ code: 'PSEUDONYM_COUNT' });
    expect(err(() => buildAnalysis({ class: 'panel', pseudonyms: ['P1'], seed: -1 }))).toMatchObject({ code: 'INVALID_SEED', field: 'seed' });
    expect(err(() => buildAnalysis({ class: 'panel', pseudonyms: ['P1'], lab: 'north' as 'east' }))).toMatchObject({ code: 'UNKNOWN_LAB', field: 'lab' });
  });
});
