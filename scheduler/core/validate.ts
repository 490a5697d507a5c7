// Checks a submission before it enters the core. The input may come straight from JSON, so
// nothing about its shape is trusted; every refusal names the field and what was expected.
import { parseArraySpec, type ArraySpec } from './array.js';
import { findCycle } from './dag.js';
import type { PartitionRt } from './state.js';
import type { AccountSpec, ConsentConfig, ConsentStatus, CoreRejection, Dependency, DependencyKind, PartitionSpec, Purpose, QosSpec, RejectionCode, TaskSpec } from './types.js';
import { consentAllows, looksLikeCpr, PSEUDONYM_PATTERN } from './vocabulary.js';

export const MAX_TASKS_PER_JOB = 100_000;
/** Largest |nice| (Slurm allows more; priorities here are weights of a few thousand points). */
export const MAX_NICE = 1_000_000;
const MAX_RETRIES = 10;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:+@-]{0,127}$/;

/**
 * A submitted task that passed the checks. It is read once, when its job is created, and not
 * kept: copying millions of tasks into fresh objects here was a tenth of a replay's garbage.
 * Absent optional fields take their defaults then (see `TaskSpec`).
 */
export type CheckedTask = Readonly<TaskSpec>;

export interface CleanJob {
  name: string;
  owner: string;
  account: string;
  partition: PartitionRt;
  qos: QosSpec;
  purpose: Purpose;
  pseudonyms: string[];
  tasks: readonly CheckedTask[];
  /** Each task's `after` list, without repeats (the submitted list when it had none). */
  after: readonly (readonly number[])[];
  deps: Dependency[];
  depsAny: boolean;
  singleton: boolean;
  array: ArraySpec | null;
  cls: string | null;
  hold: boolean;
  beginAt: number;
  nice: number;
  reservation: string | null;
}

export interface ValidationContext {
  partitions: ReadonlyMap<string, PartitionRt>;
  qos: ReadonlyMap<string, QosSpec>;
  hasAccount(name: string): boolean;
  /** The account's spec (for its purpose and allowed QoS/partitions, inherited from its parents). */
  account(name: string): AccountSpec | undefined;
  consent: Readonly<ConsentConfig>;
  jobKnown(id: number): boolean;
  /** The indices of the array whose first element has id `id`, or undefined when it is no array's. */
  arrayOf(id: number): readonly number[] | undefined;
  consentOf(pseudonym: string): ConsentStatus | null;
}

class Refusal {
  constructor(readonly rejection: CoreRejection) {}
}

function refuse(code: RejectionCode, field: string, message: string): never {
  throw new Refusal({ code, field, message });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function name(v: unknown, field: string): string {
  if (typeof v !== 'string' || !NAME.test(v)) {
    refuse('INVALID_JOB', field, `${field} must be 1-128 letters, digits or ._:+@- (got ${JSON.stringify(v) ?? 'nothing'})`);
  }
  return v;
}

function int(v: unknown, field: string, min: number, max: number, hint = ''): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    refuse('INVALID_JOB', field, `${field} must be a whole number from ${min} to ${max}${hint} (got ${JSON.stringify(v) ?? 'nothing'})`);
  }
  return v;
}

/** A task's whole-number field; `j` indexes into a list field such as after. */
function taskInt(v: unknown, i: number, key: string, min: number, max: number, hint = '', j = -1): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
  return int(v, `tasks[${i}].${key}${j >= 0 ? `[${j}]` : ''}`, min, max, hint);
}

/** Names that passed the check once: task and kernel names repeat across thousands of jobs. */
const goodNames = new Set<string>();

function taskText(v: unknown, i: number, key: string): string {
  if (typeof v === 'string' && goodNames.has(v)) return v;
  const ok = name(v, `tasks[${i}].${key}`);
  if (goodNames.size > 10_000) goodNames.clear();
  goodNames.add(ok);
  return ok;
}

/** Returns the cleaned job, or the reason it is refused. */
export function validateJob(raw: unknown, ctx: ValidationContext): CleanJob | CoreRejection {
  try {
    return check(raw, ctx);
  } catch (e) {
    if (e instanceof Refusal) return e.rejection;
    throw e;
  }
}

function check(raw: unknown, ctx: ValidationContext): CleanJob {
  if (!isObj(raw)) refuse('INVALID_JOB', 'job', 'a job must be an object with name, account, partition, qos, purpose and tasks');
  const jobName = name(raw.name, 'name');
  const owner = name(raw.owner, 'owner');
  const account = name(raw.account, 'account');
  if (!ctx.hasAccount(account)) refuse('UNKNOWN_ACCOUNT', 'account', `account "${account}" does not exist`);
  const partName = name(raw.partition, 'partition');
  const partition = ctx.partitions.get(partName);
  if (!partition) refuse('UNKNOWN_PARTITION', 'partition', `partition "${partName}" does not exist (known: ${[...ctx.partitions.keys()].join(', ')})`);
  const qosName = name(raw.qos, 'qos');
  const qos = ctx.qos.get(qosName);
  if (!qos) refuse('UNKNOWN_QOS', 'qos', `QoS "${qosName}" does not exist (known: ${[...ctx.qos.keys()].join(', ')})`);
  if (raw.purpose !== undefined && raw.purpose !== 'treatment' && raw.purpose !== 'research') {
    refuse('INVALID_JOB', 'purpose', `purpose must be "treatment" or "research" (got ${JSON.stringify(raw.purpose)})`);
  }
  // Who may use what: QoS and partitions per account, from the config (inherited down the tree).
  const allowedQos = inherited(ctx, account, 'qos');
  if (allowedQos !== null && !allowedQos.includes(qosName)) refuse('QOS_NOT_ALLOWED', 'qos', `account "${account}" may not use QoS "${qosName}" (it may use ${allowedQos.join(', ')})`);
  const allowedParts = inherited(ctx, account, 'partitions');
  if (allowedParts !== null && !allowedParts.includes(partName)) refuse('PARTITION_NOT_ALLOWED', 'partition', `account "${account}" may not use partition "${partName}" (it may use ${allowedParts.join(', ')})`);
  const partRule = partitionRefusal(partition.spec, account, qosName, ctx);
  if (partRule !== null) refuse(partRule.code, partRule.field as string, partRule.message);
  // The purpose follows where the job runs, not what it says: research partitions and accounts
  // mean research, and a job that says otherwise there is refused rather than believed.
  const researchBy = partition.spec.purpose === 'research' ? `partition "${partName}"` : inheritedPurpose(ctx, account) === 'research' ? `account "${account}"` : null;
  if (researchBy !== null && raw.purpose === 'treatment') {
    refuse('PURPOSE_MISMATCH', 'purpose', `purpose "treatment" contradicts ${researchBy}, which is for research: leave purpose out or say research`);
  }
  const purpose: Purpose = researchBy !== null ? 'research' : (raw.purpose ?? 'treatment');

  const rawPseudonyms = raw.pseudonyms ?? [];
  if (!Array.isArray(rawPseudonyms) || rawPseudonyms.length > 10_000) refuse('INVALID_JOB', 'pseudonyms', 'pseudonyms must be a list of at most 10000 patient pseudonyms');
  // Field names are spelled out only when something is refused (here and below): a replay
  // checks millions of tasks, and a string built per task or pseudonym was most of this
  // check's garbage.
  const pseudonyms = rawPseudonyms.map((p, i): string => {
    if (typeof p === 'string' && looksLikeCpr(p)) refuse('INVALID_JOB', `pseudonyms[${i}]`, `pseudonyms[${i}] looks like a CPR number; submit the patient's pseudonym, never the CPR number`);
    if (typeof p !== 'string' || !PSEUDONYM_PATTERN.test(p)) refuse('INVALID_JOB', `pseudonyms[${i}]`, `pseudonyms[${i}] must be a pseudonym of 1-64 letters, digits, _ or -`);
    return p;
  });

  const rawTasks = raw.tasks;
  if (!Array.isArray(rawTasks) || rawTasks.length === 0 || rawTasks.length > MAX_TASKS_PER_JOB) {
    refuse('INVALID_JOB', 'tasks', `tasks must be a list of 1 to ${MAX_TASKS_PER_JOB} tasks`);
  }
  const p = partition.spec;
  // Tasks that only wait for earlier ones (the usual DAG) cannot form a cycle.
  let forward = true;
  // At its size: a list grown by push re-allocated its store a few times per job.
  const afterLists = new Array<readonly number[]>(rawTasks.length);
  const limitHint = ` ms (partition ${p.name}'s limit)`;
  for (let i = 0; i < rawTasks.length; i++) {
    const t: unknown = rawTasks[i];
    if (!isObj(t)) refuse('INVALID_JOB', `tasks[${i}]`, `tasks[${i}] must be an object with cores and memMb`);
    const cores = taskInt(t.cores, i, 'cores', 1, 1_000_000);
    if (cores > partition.maxCores) {
      refuse('TOO_LARGE', `tasks[${i}].cores`, `tasks[${i}].cores is ${cores} but the largest node in partition ${p.name} has ${partition.maxCores} cores`);
    }
    const memMb = taskInt(t.memMb, i, 'memMb', 0, 1e12);
    if (memMb > partition.maxMem) {
      refuse('TOO_LARGE', `tasks[${i}].memMb`, `tasks[${i}].memMb is ${memMb} MB but the largest node in partition ${p.name} has ${partition.maxMem} MB`);
    }
    if (!fitsOneNode(partition, cores, memMb)) {
      refuse('TOO_LARGE', `tasks[${i}]`, `tasks[${i}] needs ${cores} cores and ${memMb} MB on one node; no node in partition ${p.name} has both`);
    }
    if (t.timeLimitMs !== undefined) taskInt(t.timeLimitMs, i, 'timeLimitMs', 1, p.maxTimeMs, limitHint);
    const afterRaw = t.after ?? [];
    if (!Array.isArray(afterRaw)) refuse('INVALID_JOB', `tasks[${i}].after`, `tasks[${i}].after must be a list of task indices`);
    const after: number[] = afterRaw;
    let increasing = true;
    for (let j = 0; j < after.length; j++) {
      const idx = taskInt(after[j], i, 'after', 0, rawTasks.length - 1, '', j);
      if (idx === i) refuse('DAG_CYCLE', `tasks[${i}].after[${j}]`, `tasks[${i}] cannot wait for itself`);
      if (idx > i) forward = false;
      if (j > 0 && idx <= (after[j - 1] as number)) increasing = false;
    }
    if (t.name !== undefined) taskText(t.name, i, 'name');
    if (t.retries !== undefined) taskInt(t.retries, i, 'retries', 0, MAX_RETRIES);
    if (t.durationMs !== undefined) taskInt(t.durationMs, i, 'durationMs', 0, 3650 * 86_400_000);
    if (t.kernel !== undefined) taskText(t.kernel, i, 'kernel');
    afterLists[i] = increasing ? after : [...new Set(after)];
  }
  const tasks = rawTasks as CheckedTask[];
  const cycle = forward ? null : findCycle(afterLists);
  if (cycle !== null) refuse('DAG_CYCLE', 'tasks', `the tasks' "after" lists form a cycle through tasks[${cycle}]`);

  const rawDeps = raw.dependencies ?? [];
  if (!Array.isArray(rawDeps)) refuse('INVALID_JOB', 'dependencies', 'dependencies must be a list of {kind, jobId}');
  const deps = rawDeps.map((d, i): Dependency => checkDependency(d, `dependencies[${i}]`, raw.array !== undefined, ctx));
  if (raw.dependencyAny !== undefined && typeof raw.dependencyAny !== 'boolean') refuse('INVALID_JOB', 'dependencyAny', 'dependencyAny must be true or false');
  if (raw.singleton !== undefined && typeof raw.singleton !== 'boolean') refuse('INVALID_JOB', 'singleton', 'singleton must be true or false');

  let array: ArraySpec | null = null;
  if (raw.array !== undefined) {
    if (typeof raw.array !== 'string') refuse('INVALID_JOB', 'array', 'array must be a string like 0-99%10');
    const parsed = parseArraySpec(raw.array);
    if (typeof parsed === 'string') refuse('INVALID_JOB', 'array', parsed);
    if (parsed.indices.length * tasks.length > MAX_TASKS_PER_JOB * 10) refuse('INVALID_JOB', 'array', `array of ${parsed.indices.length} jobs × ${tasks.length} tasks is too large`);
    array = parsed;
  }
  const cls = raw.class === undefined ? null : name(raw.class, 'class');
  if (raw.hold !== undefined && typeof raw.hold !== 'boolean') refuse('INVALID_JOB', 'hold', 'hold must be true or false');
  const beginAt = raw.beginAt === undefined ? 0 : int(raw.beginAt, 'beginAt', 0, Number.MAX_SAFE_INTEGER);
  const nice = raw.nice === undefined ? 0 : int(raw.nice, 'nice', -MAX_NICE, MAX_NICE);
  const reservation = raw.reservation === undefined ? null : name(raw.reservation, 'reservation');

  // A job that reads patient data says whose: the gate cannot be passed by naming no one.
  if (pseudonyms.length === 0) {
    if (cls !== null && ctx.consent.dataClasses.includes(cls)) {
      refuse('PSEUDONYMS_REQUIRED', 'pseudonyms', `class "${cls}" reads patient data: name the pseudonyms of the patients it reads`);
    }
    for (let i = 0; i < tasks.length; i++) {
      const k = (tasks[i] as CheckedTask).kernel;
      if (k !== undefined && ctx.consent.dataKernels.includes(k)) {
        refuse('PSEUDONYMS_REQUIRED', 'pseudonyms', `tasks[${i}] runs kernel "${k}", which reads patient data: name the pseudonyms of the patients it reads`);
      }
    }
  }

  // Consent: the gate at submission (it is applied again at dispatch).
  for (let i = 0; i < pseudonyms.length; i++) {
    const ps = pseudonyms[i] as string;
    const status = ctx.consentOf(ps);
    if (consentAllows(purpose, status)) continue;
    if (purpose === 'treatment') {
      refuse('CONSENT_REQUIRED', `pseudonyms[${i}]`, `no written consent on record for patient ${ps}: an analysis for treatment needs it`);
    }
    refuse('CONSENT_RESTRICTED', `pseudonyms[${i}]`, status === 'restricted'
      ? `patient ${ps} restricted their genetic data to their own treatment: research may not read it`
      : `no consent for research on record for patient ${ps}`);
  }

  return { name: jobName, owner, account, partition, qos, purpose, pseudonyms, tasks, after: afterLists, deps, depsAny: raw.dependencyAny === true && deps.length > 1, singleton: raw.singleton === true, array, cls, hold: raw.hold === true, beginAt, nice, reservation };
}

export const DEPENDENCY_KINDS: readonly DependencyKind[] = ['after', 'afterany', 'afterok', 'afternotok', 'aftercorr'];

/**
 * One dependency of a submission (or of an update: `isArray` says whether the job is an array
 * element). aftercorr pairs array elements by index, so both sides must be arrays.
 */
export function checkDependency(d: unknown, f: string, isArray: boolean, ctx: Pick<ValidationContext, 'jobKnown' | 'arrayOf'>): Dependency {
  if (!isObj(d) || !DEPENDENCY_KINDS.includes(d.kind as DependencyKind)) refuse('INVALID_JOB', `${f}.kind`, `${f}.kind must be one of ${DEPENDENCY_KINDS.join(', ')}`);
  const jobId = int(d.jobId, `${f}.jobId`, 1, Number.MAX_SAFE_INTEGER);
  if (!ctx.jobKnown(jobId)) refuse('UNKNOWN_DEPENDENCY', `${f}.jobId`, `${f} names job ${jobId}, which does not exist`);
  if (d.kind === 'aftercorr') {
    if (!isArray) refuse('INVALID_JOB', `${f}.kind`, `aftercorr pairs array elements by index: only a job array can use it (use afterok for a single job)`);
    if (ctx.arrayOf(jobId) === undefined) refuse('INVALID_JOB', `${f}.jobId`, `aftercorr:${jobId} must name a job array by its id (its first element's), and job ${jobId} is not one`);
  }
  return { kind: d.kind as DependencyKind, jobId };
}

/** Checks a dependency list in an update; the refusal when one is wrong. */
export function checkDependencies(raw: unknown, field: string, isArray: boolean, ctx: Pick<ValidationContext, 'jobKnown' | 'arrayOf'>): Dependency[] | CoreRejection {
  try {
    if (!Array.isArray(raw)) refuse('INVALID_STATE', field, 'dependencies must be a list of {kind, jobId}');
    return raw.map((d, i) => checkDependency(d, `${field}[${i}]`, isArray, ctx));
  } catch (e) {
    if (e instanceof Refusal) return e.rejection;
    throw e;
  }
}

/**
 * A partition's own rules (Slurm's AllowAccounts, AllowQos): the refusal for this account and
 * QoS there, or null. An account listed admits the accounts under it.
 */
export function partitionRefusal(p: PartitionSpec, account: string, qos: string, ctx: Pick<ValidationContext, 'account'>): CoreRejection | null {
  const allowA = p.allowAccounts;
  if (allowA !== undefined) {
    let ok = false;
    for (let a = ctx.account(account), steps = 0; a !== undefined && steps < 64 && !ok; a = a.parent === undefined ? undefined : ctx.account(a.parent), steps++) ok = allowA.includes(a.name);
    if (!ok) return { code: 'PARTITION_NOT_ALLOWED', field: 'partition', message: `partition "${p.name}" admits only accounts ${allowA.join(', ')} and the accounts under them (AllowAccounts); account "${account}" is not one of them` };
  }
  if (p.allowQos !== undefined && !p.allowQos.includes(qos)) {
    return { code: 'QOS_NOT_ALLOWED', field: 'qos', message: `partition "${p.name}" admits only QoS ${p.allowQos.join(', ')} (AllowQos), not "${qos}"` };
  }
  return null;
}

/** The account's list of `key`, or its nearest ancestor's; null when none has one (all allowed). */
export function inherited(ctx: Pick<ValidationContext, 'account'>, account: string, key: 'qos' | 'partitions'): readonly string[] | null {
  return allowedFor(ctx.account, account, key);
}

/** The QoS or partitions an account may use, from it or its nearest ancestor that says; null: any. */
export function allowedFor(lookup: (name: string) => AccountSpec | undefined, account: string, key: 'qos' | 'partitions'): readonly string[] | null {
  for (let a = lookup(account), steps = 0; a !== undefined && steps < 64; a = a.parent === undefined ? undefined : lookup(a.parent), steps++) {
    const list = a[key];
    if (list !== undefined) return list;
  }
  return null;
}

/** The purpose the account or its nearest ancestor declares, if any. */
function inheritedPurpose(ctx: ValidationContext, account: string): Purpose | null {
  for (let a = ctx.account(account), steps = 0; a !== undefined && steps < 64; a = a.parent === undefined ? undefined : ctx.account(a.parent), steps++) {
    if (a.purpose !== undefined) return a.purpose;
  }
  return null;
}

/** Whether some node of the partition has both the cores and the memory (a loop, not a closure per task). */
export function fitsOneNode(partition: PartitionRt, cores: number, memMb: number): boolean {
  for (const n of partition.nodes) if (n.spec.cores >= cores && n.spec.memMb >= memMb) return true;
  return false;
}
