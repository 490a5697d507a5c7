// Public surface of the scheduling core. Other packages import from here only.
export * from './types.js';
export { decisionText, decisionTexts, firstDifference, powerDecisionText } from './decision-text.js';
export { JOB_STATES, ACTIVE_JOB_STATES, TERMINAL_JOB_STATES, isTerminalJobState, TASK_STATES, PURPOSES, isPurpose, POLICIES, isPolicy, CONSENT_STATUSES, isConsentStatus, consentAllows, CPR_PATTERN, looksLikeCpr, PSEUDONYM_PATTERN, isPseudonym } from './vocabulary.js';
export { ConfigError } from './errors.js';
export { parseClusterConfig, flatClusterConfig, DEFAULT_CONSENT, consentConfig, DEFAULT_POWER_SAVE, withPowerSave, withoutPowerSave, type ClusterFile } from './config.js';
export { jobConsented } from './consent-rules.js';
export { SchedulerCore, PRIORITY_PERIOD_MS, BACKFILL_INTERVAL_MS, MAX_NODE_REQUEUES, type RunningTaskView, type EndedJobView, type JobFilter, type PassReport } from './core.js';
export type { ReservationView } from './policies/index.js';
export { REASONS, REASON_LIST, type ReasonInfo, type ReasonKind } from './reasons.js';
export type { FairShareView } from './fairshare.js';
export { KeyedHeap } from './heap.js';
export { SlotList } from './lists.js';
export { parseArraySpec, MAX_ARRAY_SIZE, type ArraySpec } from './array.js';
export { SNAPSHOT_FORMAT, SnapshotError, configFingerprint, snapshotOf, restoreInto, type CoreSnapshot } from './snapshot.js';
export { layoutFingerprint, layoutShapes } from './snapshot-layout.js';
export { HEAT_RECOVERY_FRACTION, wattsPerBusyCore, nodeWatts, powerSaveWatts, heatRecoveryShare, type PoweredNode } from './power.js';
export { POWER_FIT_DEPTH } from './power-save.js';
