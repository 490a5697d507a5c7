// The analysis classes of the NGC workload: their shares, priority and pipelines. The shares are
// modelling assumptions (see README.md): germline WGS for rare disease dominates, cancer pairs
// are the heaviest, exomes and panels are many but cheap, reanalyses and research come in batches.
import type { Ms } from '../core/index.js';
import { HOUR_MS } from './costs.js';
import {
  exome,
  panel,
  reanalysis,
  researchCohort,
  researchDeepVariant,
  tumourNormal,
  wgsRapid,
  wgsSingle,
  wgsTrio,
  type Pipeline,
} from './pipelines.js';

/** How an analysis finds its patients' pseudonyms. */
export type Patients =
  | { kind: 'new'; count: number } // new patients, each with a fresh consent on record
  | { kind: 'earlier' } // one earlier patient whose data may still be used for treatment
  | { kind: 'research'; min: number; max: number }; // earlier patients who granted research use

export interface NgcClass {
  name: string;
  share: number;
  qos: 'urgent' | 'normal' | 'low';
  purpose: 'treatment' | 'research';
  cancer: boolean;
  patients: Patients;
  pipeline: Pipeline;
  /**
   * Submitted in batches (reanalysis campaigns, research studies) about `everyDays` apart, more often
   * when a batch would exceed `maxSize` (high `perDay` rates); absent: a continuous stream.
   */
  campaign?: { everyDays: number; maxSize: number };
}

export const CLASSES: readonly NgcClass[] = [
  { name: 'wgs-single', share: 0.32, qos: 'normal', purpose: 'treatment', cancer: false, patients: { kind: 'new', count: 1 }, pipeline: wgsSingle },
  { name: 'wgs-trio', share: 0.12, qos: 'normal', purpose: 'treatment', cancer: false, patients: { kind: 'new', count: 3 }, pipeline: wgsTrio },
  { name: 'wgs-rapid', share: 0.02, qos: 'urgent', purpose: 'treatment', cancer: false, patients: { kind: 'new', count: 1 }, pipeline: wgsRapid },
  { name: 'wgs-tumour-normal', share: 0.12, qos: 'normal', purpose: 'treatment', cancer: true, patients: { kind: 'new', count: 1 }, pipeline: tumourNormal },
  { name: 'exome', share: 0.16, qos: 'normal', purpose: 'treatment', cancer: false, patients: { kind: 'new', count: 1 }, pipeline: exome },
  { name: 'panel', share: 0.1, qos: 'normal', purpose: 'treatment', cancer: false, patients: { kind: 'new', count: 1 }, pipeline: panel },
  { name: 'reanalysis', share: 0.08, qos: 'low', purpose: 'treatment', cancer: false, patients: { kind: 'earlier' }, pipeline: reanalysis, campaign: { everyDays: 91, maxSize: 300 } },
  { name: 'research-cohort', share: 0.04, qos: 'normal', purpose: 'research', cancer: false, patients: { kind: 'research', min: 10, max: 100 }, pipeline: researchCohort, campaign: { everyDays: 61, maxSize: 100 } },
  { name: 'research-deepvariant', share: 0.04, qos: 'low', purpose: 'research', cancer: false, patients: { kind: 'research', min: 1, max: 1 }, pipeline: researchDeepVariant, campaign: { everyDays: 122, maxSize: 200 } },
];

/**
 * Rapid WGS target: results (the whole DAG) within 8 h of submission. Its modelled critical path is
 * ~4-5 h (QC, one alignment shard, mark duplicates, one calling shard, gather), so it must start at
 * once: what urgent QoS and preemption are for.
 */
export const URGENT_TARGET_MS: Ms = 8 * HOUR_MS;
