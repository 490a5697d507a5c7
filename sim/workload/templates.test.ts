import { describe, expect, it } from 'vitest';
import { buildAnalysis } from '../../scheduler/pipelines/index.js';
import { ngcWorkload } from './index.js';

// The live scheduler builds analyses from the same templates: given what a lab would send (class,
// pseudonyms, account, lab) and the item's seed, it gets the very job the simulator submits.
describe('workload items from the pipeline templates', () => {
  it('rebuild exactly the simulator workload job from class, pseudonyms, account, lab and seed', () => {
    let n = 0;
    for (const item of ngcWorkload({ analyses: 300, seed: 7, scenario: 'burst' })) {
      const { job } = item;
      const lab = job.owner === 'pipeline-west' ? 'west' : 'east';
      const built = buildAnalysis({ class: job.class as string, pseudonyms: job.pseudonyms, account: job.account, lab, seed: item.seed, name: job.name });
      expect(built).toEqual(job);
      n++;
    }
    expect(n).toBe(300);
  });
});
