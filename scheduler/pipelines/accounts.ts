// Who submits: the regions' hospital departments from scheduler/config/cluster.default.json,
// weighted by that file's region shares (roughly the regions' populations), and which lab
// sequences their samples (East: Rigshospitalet, West: Aarhus University Hospital).
import type { Rng } from '../../common/index.js';

export type Lab = 'east' | 'west';

interface Region {
  name: string;
  weight: number;
  lab: Lab;
  /** Clinical-genetics departments and their relative shares (from the config's account shares). */
  genetics: readonly (readonly [string, number])[];
  /** Cancer pairs go to the oncology department of the lab's hospital. */
  oncology: string;
}

export const REGIONS: readonly Region[] = [
  { name: 'region-h', weight: 30, lab: 'east', genetics: [['rh-genetics', 0.7], ['herlev-genetics', 0.3]], oncology: 'rh-oncology' },
  { name: 'region-sj', weight: 12, lab: 'east', genetics: [['suh-genetics', 1]], oncology: 'rh-oncology' },
  { name: 'region-m', weight: 25, lab: 'west', genetics: [['auh-genetics', 1]], oncology: 'auh-oncology' },
  { name: 'region-sd', weight: 20, lab: 'west', genetics: [['ouh-genetics', 1]], oncology: 'auh-oncology' },
  { name: 'region-n', weight: 8, lab: 'west', genetics: [['aauh-genetics', 1]], oncology: 'auh-oncology' },
];

export const RESEARCH_ACCOUNT = 'research-ngc';
/** Clinical jobs are submitted by each lab's automatic pipeline as data leave the sequencers. */
export const LAB_OWNER: Record<Lab, string> = { east: 'pipeline-east', west: 'pipeline-west' };
export const RESEARCH_OWNER = 'research-ngc';

export const PARTITIONS = { clinical: 'clinical', research: 'research' } as const;
export const QOS = { urgent: 'urgent', normal: 'normal', low: 'low' } as const;

/** Every account the model submits to (for tests against the cluster config). */
export const ACCOUNTS_USED: readonly string[] = [
  ...new Set([...REGIONS.flatMap((r) => [...r.genetics.map(([a]) => a), r.oncology]), RESEARCH_ACCOUNT]),
];

const totalWeight = REGIONS.reduce((s, r) => s + r.weight, 0);

/** A region drawn by weight, and the account for a germline or cancer analysis there. */
export function pickAccount(rng: Rng, cancer: boolean): { account: string; lab: Lab } {
  let x = rng.next() * totalWeight;
  let region = REGIONS[REGIONS.length - 1] as Region;
  for (const r of REGIONS) {
    if ((x -= r.weight) < 0) {
      region = r;
      break;
    }
  }
  if (cancer) return { account: region.oncology, lab: region.lab };
  let y = rng.next();
  let account = region.genetics[0]?.[0] as string;
  for (const [a, share] of region.genetics) {
    account = a;
    if ((y -= share) < 0) break;
  }
  return { account, lab: region.lab };
}
