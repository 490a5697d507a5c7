// The words and rules every package shares, defined once here and imported everywhere else
// (API, CLI, simulator, benches): job and task states, purposes and consent statuses, the
// consent rule, and what a pseudonym looks like (never a CPR number).

/** A job's state, in Slurm's vocabulary. */
export const JOB_STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job can still leave; the rest are final. */
export const ACTIVE_JOB_STATES = ['PENDING', 'RUNNING'] as const satisfies readonly JobState[];
export const TERMINAL_JOB_STATES = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL'] as const satisfies readonly JobState[];
/** Whether a job in `state` has ended (its state is final). */
export const isTerminalJobState = (state: JobState): boolean => (TERMINAL_JOB_STATES as readonly JobState[]).includes(state);

export const TASK_STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** How a pass orders and backfills the queue (scheduler/core/policies). */
export const POLICIES = ['fcfs', 'easy', 'conservative'] as const;
export type Policy = (typeof POLICIES)[number];
export const isPolicy = (x: unknown): x is Policy => (POLICIES as readonly unknown[]).includes(x);

/** Why a job reads genetic data: follows its partition and account, never a free field. */
export const PURPOSES = ['treatment', 'research'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const isPurpose = (x: unknown): x is Purpose => (PURPOSES as readonly unknown[]).includes(x);

/**
 * `granted`: written consent for the analysis, data usable for research.
 * `restricted`: consent for the analysis, data restricted to the patient's own treatment.
 * `withdrawn`: no analysis may read the data.
 */
export const CONSENT_STATUSES = ['granted', 'restricted', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
export const isConsentStatus = (x: unknown): x is ConsentStatus => (CONSENT_STATUSES as readonly unknown[]).includes(x);

/**
 * The consent rule (the law behind the centre): an analysis for treatment needs the patient's
 * written consent on record (granted, or restricted to their own treatment); research may read
 * only data whose consent is granted. No record (undefined or null) allows nothing. Applied at
 * submission and again at every dispatch.
 */
export function consentAllows(purpose: Purpose, status: ConsentStatus | null | undefined): boolean {
  return status === 'granted' || (status === 'restricted' && purpose === 'treatment');
}

/** A Danish CPR number (DDMMYY-SSSS, with or without the dash): it must never enter the system. */
export const CPR_PATTERN = /^\d{6}-?\d{4}$/;

export function looksLikeCpr(text: string): boolean {
  return CPR_PATTERN.test(text);
}

/** A patient pseudonym: 1-64 letters, digits, _ or -, starting with a letter or digit. */
export const PSEUDONYM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** True for a well-formed pseudonym that is not CPR-shaped. */
export function isPseudonym(text: string): boolean {
  return PSEUDONYM_PATTERN.test(text) && !CPR_PATTERN.test(text);
}
