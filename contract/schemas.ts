// The shapes of the HTTP API, written once as TypeBox schemas: the server validates requests
// and serializes replies with them, the CLI client's types are their Static<> types, and the
// OpenAPI document is generated from them. The core keeps its own TypeScript types (it is
// pure and depends on nothing); contract/core-types.ts makes the compiler prove both agree,
// so a field added to a core view fails the build until it is added here too.
import { Type, type Static, type TSchema } from 'typebox';
import { CONSENT_STATUSES, JOB_STATES, PURPOSES, TASK_STATES } from '../scheduler/core/index.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Ms = (description: string) => Type.Integer({ description: `${description}, in ms` });
const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Text = (description: string) => Type.String({ description });
/** A free-text field: bounded, and (checked by the API) never holding a CPR-shaped number. */
const Short = (description?: string) => Type.String({ maxLength: 256, ...(description === undefined ? {} : { description }) });
/** Requests name every field they mean: an unknown one (a typo) is a 400, not ignored. */
const Closed = { additionalProperties: false } as const;

// ---------------------------------------------------------------- vocabulary
// The core's words (scheduler/core/vocabulary.ts), not copies of them.

export const JobState = Type.Enum(JOB_STATES, { description: "A job's state (Slurm's vocabulary)" });
export const TaskState = Type.Enum(TASK_STATES);
export const PendingReason = Type.Enum(['Priority', 'Resources', 'Dependency', 'DependencyNeverSatisfied', 'ConsentHold', 'JobArrayTaskLimit', 'PartitionDown', 'JobHeldUser', 'JobHeldAdmin', 'BeginTime', 'QOSGrpCpuLimit', 'AssocGrpCpuLimit', 'QOSMaxJobsPerUserLimit', 'AssocMaxJobsLimit', 'QOSMaxWallDurationPerJobLimit', 'AssocMaxWallDurationPerJobLimit', 'Reservation', 'ReqNodeNotAvail, Reserved for maintenance', 'None'], {
  description: 'Why a pending job did not start in the last pass; None when not pending',
});
export const Purpose = Type.Enum(PURPOSES);
export const ConsentStatus = Type.Enum(CONSENT_STATUSES, {
  description: 'granted: usable for research too; restricted: only for the patient’s own treatment; withdrawn: no analysis may read the data',
});
export const DependencyKind = Type.Enum(['after', 'afterany', 'afterok', 'afternotok', 'aftercorr'], {
  description: 'after: the job started (or was cancelled); afterany: it ended; afterok: it completed; afternotok: it ended otherwise; aftercorr: element i of this array waits for element i of that array (jobId: the array’s id) to complete',
});
export const NodeState = Type.Enum(['IDLE', 'MIXED', 'ALLOCATED', 'DRAINING', 'DRAINED', 'DOWN', 'SUSPENDED', 'POWERING_UP']);
export const Cooling = Type.Enum(['warm-water', 'air']);
export const HoldKind = Type.Enum(['user', 'admin'], { description: 'Who holds a job: its owner (JobHeldUser) or an operator (JobHeldAdmin)' });

// ---------------------------------------------------------------- requests

export const Dependency = Type.Object({ kind: DependencyKind, jobId: Type.Integer({ description: 'The job waited for' }) }, Closed);

// Types only: what the values mean (known partition, sizes, consent) is the core's to judge,
// so a wrong type is a 400 naming the field and a wrong value is the core's 422.
export const TaskSpec = Type.Object({
  name: Type.Optional(Short('Short name, e.g. align-03; t<index> when absent')),
  cores: Type.Integer(),
  memMb: Type.Integer(),
  timeLimitMs: Type.Optional(Ms('Wall time limit; the partition default when absent')),
  after: Type.Optional(Type.Array(Type.Integer(), { description: 'Indices of tasks of the same job that must complete first' })),
  retries: Type.Optional(Type.Integer({ description: 'Retries on failure, each with doubled memory' })),
  durationMs: Type.Optional(Type.Integer({ minimum: 0, description: 'Modelled run time, in ms; agents hold the cores this long' })),
  kernel: Type.Optional(Short('The kernel an agent runs, e.g. align or call')),
}, Closed);

/** A real command for the exec kernel (sbatch's script or --wrap, -o, -e, -D). */
export const JobCommand = Type.Object({
  script: Type.String({ maxLength: 1_048_576, description: 'The script body; a first line #!... names its interpreter, otherwise /bin/sh runs it' }),
  chdir: Type.String({ maxLength: 4096, description: 'Absolute working directory on the agents’ machines' }),
  submitDir: Type.Optional(Type.String({ maxLength: 4096, description: 'Absolute directory the job was submitted from (GSCHED_SUBMIT_DIR and SLURM_SUBMIT_DIR in its environment); default: chdir' })),
  output: Type.Optional(Type.String({ maxLength: 4096, description: 'Standard output file pattern (%j, %A, %a, %x, %u, %N, %t); default gsched-%j.out' })),
  error: Type.Optional(Type.String({ maxLength: 4096, description: 'Standard error file pattern; default: the output file' })),
});

export const JobSpec = Type.Object({
  name: Short(),
  owner: Type.Optional(Short('Who submitted: the submitting token’s identity when absent (a submitter may not name another)')),
  account: Short(),
  partition: Short(),
  qos: Short(),
  purpose: Type.Optional(Type.Enum(['treatment', 'research'], { description: 'Follows the partition and account when absent (research there means research); declaring treatment on a research partition or account is refused' })),
  pseudonyms: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { default: [], description: 'Patient pseudonyms whose data the job reads (never CPR numbers)' })),
  tasks: Type.Array(TaskSpec),
  dependencies: Type.Optional(Type.Array(Dependency)),
  dependencyAny: Type.Optional(Type.Boolean({ description: 'Any one dependency met is enough (Slurm’s ? separator); all of them when absent' })),
  singleton: Type.Optional(Type.Boolean({ description: 'Wait until no other job of this name and owner runs' })),
  array: Type.Optional(Short('Job array: 0-99, 1,3,5-7, with optional %N concurrency limit')),
  class: Type.Optional(Short('Analysis class label, e.g. wgs-trio')),
  command: Type.Optional(JobCommand),
  hold: Type.Optional(Type.Boolean({ description: 'Submit held (sbatch --hold): it waits with JobHeldUser until released' })),
  beginAt: Type.Optional(Type.Integer({ minimum: 0, description: 'Earliest start on the scheduler’s clock, in ms (sbatch --begin); it waits with BeginTime until then' })),
  nice: Type.Optional(Type.Integer({ description: 'Priority points given away (negative: gained)' })),
  reservation: Type.Optional(Short('Run in this advance reservation (sbatch --reservation): on its nodes, in its window')),
}, Closed);

export const ConsentAction = Type.Enum(['grant', 'restrict', 'withdraw'], {
  description: 'grant: written consent on record; restrict: the data only for the patient’s own treatment; withdraw: no analysis may read it',
});

/** Exactly one of pseudonym and cpr, and one of action and status (the API checks both). */
export const ConsentRequest = Type.Object({
  pseudonym: Type.Optional(Type.String({ maxLength: 64 })),
  cpr: Type.Optional(Type.String({ maxLength: 20, description: 'A CPR number (DDMMYY-XXXX): turned into the keyed pseudonym at once, never stored or logged' })),
  action: Type.Optional(ConsentAction),
  status: Type.Optional(ConsentStatus),
  documentRef: Type.Optional(Short('Reference of the signed consent; required when none is on record')),
  note: Type.Optional(Type.String({ maxLength: 1000 })),
}, Closed);


export const Role = Type.Enum(['admin', 'operator', 'submitter', 'consent-officer', 'auditor', 'viewer'], {
  description: 'admin: everything; operator: nodes, reservations, any job; submitter: its accounts’ jobs; consent-officer: records consent; auditor: audit and accounting; viewer: metrics, dashboard, queue without pseudonyms',
});

export const TokenCreate = Type.Object({
  role: Role,
  name: Type.Optional(Type.String({ maxLength: 64, description: 'The identity: job owner and audit actor (default <role>-<id>)' })),
  accounts: Type.Optional(Type.Array(Short(), { maxItems: 100, description: 'Accounts a submitter may use (submitters only)' })),
}, Closed);

export const TokenIdParams = Type.Object({ id: Text('A token id, t_…') });
export const PseudonymParams = Type.Object({ pseudonym: Text('A patient pseudonym') });

export const AuditQuery = Type.Object({
  pseudonym: Type.Optional(Text('Only entries concerning this patient')),
  since: Type.Optional(Text('Only entries from this time: ISO 8601, or ms since 1970')),
  after: Type.Optional(Text('Only entries after this entry number (paging)')),
  limit: Type.Optional(Text('Page size, 1 to 10000 (default 1000)')),
});

export const HoldRequest = Type.Object({
  kind: Type.Optional(Type.Enum(['user', 'admin'], { description: 'admin (scontrol hold, the default): JobHeldAdmin; user (scontrol uhold): JobHeldUser' })),
});
export const ReleaseRequest = Type.Object({
  kind: Type.Optional(Type.Enum(['user', 'admin'], { description: 'admin (the default) releases any hold; user releases only a user hold' })),
});
export const SignalRequest = Type.Object({ signal: Type.String({ pattern: '^(SIG)?[A-Z0-9]{1,10}$', description: 'A signal name or number, e.g. USR1, SIGTERM, 10' }) });
export const SignalReply = Type.Object({ jobId: Type.Integer(), signalled: Count('Running attempts the signal was sent to (real commands act on it)') });
export const CancelQuery = Type.Object({ graceMs: Type.Optional(Type.String({ description: 'Wall ms between SIGTERM and SIGKILL for running commands (default: the agents’ --kill-grace-ms)' })) });
export const RequeueRequest = Type.Object({ hold: Type.Optional(Type.Boolean({ description: 'Also hold it (scontrol requeuehold)' })) });

/** scontrol update JOB key=value: what may change, with Slurm's rules (see the core's update event). */
export const JobUpdate = Type.Object(
  {
    timeLimitMs: Type.Optional(Type.Integer({ minimum: 1, description: 'New time limit of the tasks not yet started, in ms' })),
    partition: Type.Optional(Type.String({ description: 'Pending jobs only; the partition’s rules and node sizes are checked as at submit' })),
    qos: Type.Optional(Type.String({ description: 'Pending jobs only' })),
    nice: Type.Optional(Type.Integer()),
    beginAt: Type.Optional(Nullable(Type.Integer({ minimum: 0, description: 'Begin time on the scheduler’s clock, in ms; null clears it' }))),
    dependencies: Type.Optional(Type.Array(Dependency, { description: 'Replaces the dependencies; pending jobs only' })),
    dependencyAny: Type.Optional(Type.Boolean({ description: 'Any one dependency is enough (?) or all (false); pending jobs only' })),
    throttle: Type.Optional(Type.Integer({ minimum: 0, description: 'An array’s %N limit; 0 lifts it' })),
  },
  { additionalProperties: false },
);

// Analyses from pipeline templates and sequencing runs (scheduler/pipelines builds the jobs).
export const Lab = Type.Enum(['east', 'west'], { description: 'Sequencing lab: east (Rigshospitalet) or west (Aarhus); picks the owner and default account' });
const Seed = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Seed of the modelled coverage and run times; the nominal analysis when absent' });
const ClassName = Text('Analysis class: wgs-single, wgs-trio, wgs-rapid, wgs-tumour-normal, exome, panel, reanalysis, research-cohort, research-deepvariant');
const Pseudonyms = Type.Array(Type.String(), { maxItems: 10_000, description: 'Patient pseudonyms (a trio: 3; a research cohort: 1 to 100; otherwise 1)' });

export const AnalysisRequest = Type.Object(
  {
    class: ClassName,
    pseudonyms: Pseudonyms,
    lab: Type.Optional(Lab),
    account: Type.Optional(Text("Account to charge; default the lab's genetics department (oncology for tumour/normal, research-ngc for research)")),
    name: Type.Optional(Text('Job name; default <class>-<first pseudonym>')),
    seed: Type.Optional(Seed),
  },
  { additionalProperties: false },
);

export const RunSample = Type.Object(
  {
    class: ClassName,
    pseudonym: Type.Optional(Text('The one patient of this sample')),
    pseudonyms: Type.Optional(Pseudonyms),
    account: Type.Optional(Type.String()),
    seed: Type.Optional(Seed),
  },
  { additionalProperties: false },
);

export const RunRequest = Type.Object(
  {
    run: Type.String({ pattern: '^[A-Za-z0-9._:+@-]{1,100}$', description: 'The sequencing run id; a run is taken in once' }),
    lab: Lab,
    samples: Type.Array(RunSample, { minItems: 1, maxItems: 10_000 }),
  },
  { additionalProperties: false },
);

export const RunAnalysis = Type.Object({
  sample: Count('Index of the sample in the request'),
  class: Type.String(),
  jobId: Type.Optional(Type.Integer()),
  displayId: Type.Optional(Type.String()),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }, { description: 'Why the sample was refused (e.g. CONSENT_REQUIRED)' })),
});

export const RunReply = Type.Object({
  run: Type.String(),
  lab: Type.String(),
  created: Type.Boolean({ description: 'False when the run had been taken in before: nothing new was submitted' }),
  submitted: Count('Analyses submitted'),
  refused: Count('Samples refused'),
  analyses: Type.Array(RunAnalysis),
});

export const JobListQuery = Type.Object({
  state: Type.Optional(Text('Comma-separated job states; all when absent')),
  account: Type.Optional(Type.String()),
  partition: Type.Optional(Type.String()),
  owner: Type.Optional(Type.String()),
  jobs: Type.Optional(Text('Comma-separated job ids like 12,120,120_3 (squeue -j): an array’s own id lists every element')),
  limit: Type.Optional(Text('Page size, 1 to 1000 (default 100)')),
  offset: Type.Optional(Text('Jobs to skip (default 0)')),
});

export const ForecastQuery = Type.Object({
  account: Type.Optional(Type.String()),
  partition: Type.Optional(Type.String()),
  owner: Type.Optional(Type.String()),
});

export const JobIdParams = Type.Object({ id: Text('A job id like 123, or an array element like 120_3') });
export const NodeParams = Type.Object({ name: Text('A node name from the cluster config') });

/** scontrol create reservation: nodes or a core count, a window, flags and the accounts it is for. */
export const ReservationRequest = Type.Object(
  {
    name: Type.String({ maxLength: 64, description: 'A name of letters, digits, ".", "_" or "-"' }),
    nodes: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100_000, description: 'Node names (give these or cores)' })),
    cores: Type.Optional(Type.Integer({ description: 'A core count: whole nodes are picked, free by the start unless ignoreJobs' })),
    startAt: Type.Integer({ minimum: 0, description: 'Start on the scheduler’s clock, in ms' }),
    durationMs: Type.Integer({ minimum: 1, description: 'Length of the window, in ms' }),
    maint: Type.Optional(Type.Boolean({ description: 'Slurm’s MAINT: jobs kept off its nodes wait with "ReqNodeNotAvail, Reserved for maintenance"; needs no account' })),
    ignoreJobs: Type.Optional(Type.Boolean({ description: 'Slurm’s IGNORE_JOBS: create it even where running tasks’ time limits reach into the window' })),
    accounts: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000, description: 'Accounts whose jobs may ask for it (and the accounts under them); required unless maint' })),
  },
  Closed,
);
export const ReservationView = Type.Object({
  name: Type.String(),
  nodes: Type.Array(Type.String()),
  cores: Type.Integer(),
  startAt: Type.Integer(),
  endAt: Type.Integer(),
  maint: Type.Boolean(),
  ignoreJobs: Type.Boolean(),
  accounts: Type.Array(Type.String()),
  state: Type.Enum(['INACTIVE', 'ACTIVE', 'ENDED'], { description: 'Before its start, in its window, after' }),
  jobs: Type.Integer({ description: 'Unended jobs that asked for it' }),
});
export const ReservationList = Type.Object({ reservations: Type.Array(ReservationView), now: Type.Integer({ description: 'The scheduler’s clock' }) });
export const ReconfigureReply = Type.Object({
  changed: Type.Boolean({ description: 'False when the file holds the config in force already' }),
  cluster: Type.String({ description: 'The cluster’s name in the config now in force' }),
});
export const ReservationParams = Type.Object({ name: Text('A reservation name') });

// ---------------------------------------------------------------- views

export const PriorityBreakdown = Type.Object({
  age: Type.Number(),
  fairshare: Type.Number(),
  qos: Type.Number(),
  partition: Type.Number(),
  size: Type.Number(),
  total: Type.Number(),
});

export const TaskView = Type.Object({
  id: Type.Integer(),
  index: Type.Integer(),
  name: Type.String(),
  state: TaskState,
  cores: Type.Integer(),
  memMb: Type.Integer(),
  timeLimitMs: Type.Integer(),
  after: Type.Array(Type.Integer()),
  node: Nullable(Text('Where it runs or last ran; null while it waits')),
  startedAt: Nullable(Type.Integer()),
  endedAt: Nullable(Type.Integer()),
  attempts: Type.Integer(),
  preemptions: Type.Integer(),
  requeues: Type.Integer(),
  durationMs: Nullable(Type.Integer()),
  kernel: Nullable(Type.String()),
});

const jobViewProps = {
  id: Type.Integer(),
  displayId: Text('123, or 120_3 for an array element'),
  name: Type.String(),
  owner: Type.String(),
  account: Type.String(),
  partition: Type.String(),
  qos: Type.String(),
  purpose: Purpose,
  class: Nullable(Type.String()),
  state: JobState,
  reason: PendingReason,
  endReason: Nullable(Type.Literal('ConsentWithdrawn', { description: 'Ended by the scheduler for consent: held past the limit' })),
  queuePosition: Nullable(Type.Integer({ description: '1-based position among pending jobs; null when not pending' })),
  priority: PriorityBreakdown,
  submittedAt: Type.Integer(),
  startedAt: Nullable(Type.Integer()),
  endedAt: Nullable(Type.Integer()),
  cores: Type.Integer(),
  pseudonyms: Type.Array(Type.String()),
  dependencies: Type.Array(Dependency),
  dependencyAny: Type.Boolean({ description: 'Any one dependency is enough (?); all of them otherwise' }),
  arrayJobId: Nullable(Type.Integer()),
  arrayIndex: Nullable(Type.Integer()),
  tasks: Type.Array(TaskView),
  nodes: Type.Array(Type.String()),
  hold: Nullable(HoldKind),
  beginAt: Nullable(Type.Integer({ description: 'Its begin time (--begin) on the scheduler’s clock, in ms' })),
  nice: Type.Integer({ description: 'Priority points it gives away (negative: gains)' }),
  reservation: Nullable(Type.String({ description: 'The advance reservation it runs in' })),
};
export const JobView = Type.Object(jobViewProps);

/** How one attempt of a task ended, as the agent reported it. */
export const TaskResult = Type.Object({
  taskId: Type.Integer(),
  attempt: Type.Integer(),
  node: Type.String(),
  outcome: Type.Enum(['completed', 'failed', 'cancelled']),
  cpuMs: Type.Number(),
  wallMs: Type.Number(),
  kernel: Type.String(),
  summary: Type.Unknown({ description: "The kernel's own summary of its work" }),
  error: Type.Optional(Type.String()),
  exitCode: Type.Optional(Type.Integer({ description: 'The exec kernel: the command’s exit status (0 when a signal ended it)' })),
  signal: Type.Optional(Type.String({ description: 'The exec kernel: the signal that ended the command, e.g. SIGTERM' })),
});

const schedulerNow = Type.Integer({ description: "The scheduler's (modelled) clock when it answered, in ms" });

const jobRecordProps = {
  ...jobViewProps,
  results: Type.Optional(Type.Array(TaskResult)),
  pseudonymsHidden: Type.Optional(Type.Boolean({ description: 'True when the job reads patient data but the caller (a viewer) may not see whose' })),
};

/** A job with the results its agents reported (kept while the scheduler remembers them). */
export const JobDetail = Type.Object({
  ...jobRecordProps,
  now: Type.Optional(schedulerNow),
  elements: Type.Optional(
    Type.Array(Type.Object(jobRecordProps), {
      description: 'GET /api/v1/jobs/{id} with an array’s own id (120, not 120_3): every element the scheduler still knows, in index order, as slurmrestd’s GET /job/{id} lists them; the fields beside it are element 120_0’s',
    }),
  ),
});

export const JobList = Type.Object({
  jobs: Type.Array(JobDetail),
  total: Count('Jobs matching the query'),
  limit: Type.Integer(),
  offset: Type.Integer(),
  now: schedulerNow,
});

// ---------------------------------------------------------------- forecasts

/** One open job's forecast: when the twin (the simulator forked off the live core) starts and ends it. */
export const JobForecast = Type.Object({
  id: Type.Integer(),
  displayId: Text('123, or 120_3 for an array element'),
  name: Type.String(),
  account: Type.String(),
  class: Nullable(Type.String()),
  qos: Type.String(),
  state: JobState,
  submittedAt: Ms('When it was submitted, on the scheduler’s clock'),
  expectedStart: Nullable(Type.Integer({ description: 'When its first task starts (the real start if it runs already), on the scheduler’s clock, in ms; null if beyond the forecast' })),
  expectedEnd: Nullable(Type.Integer({ description: 'When its last task ends, on the scheduler’s clock, in ms; null if beyond the forecast' })),
  target: Nullable(
    Type.Object(
      {
        deadline: Ms('Submission plus the class’s turnaround target (rapid WGS: 8 h)'),
        met: Nullable(Type.Boolean({ description: 'Whether the forecast end is by the deadline; null when the end is beyond the forecast' })),
      },
      { description: 'The turnaround target of urgent analyses; null for other jobs' },
    ),
  ),
});

const forecastHead = {
  now: schedulerNow,
  until: Ms('The modelled time the forecast reached'),
  complete: Type.Boolean({ description: 'True when it played out until the queue was empty; false when cut off by its event budget (jobs beyond it have null times)' }),
};

export const ForecastReply = Type.Object({ ...forecastHead, jobs: Type.Array(JobForecast) });
export const JobForecastReply = Type.Object({
  ...forecastHead,
  job: JobForecast,
  elements: Type.Optional(Type.Array(JobForecast, { description: 'An array’s own id (120): every element not yet ended, in index order; job is the first of them' })),
});

export const SubmitReply = Type.Object({
  jobIds: Type.Array(Type.Integer()),
  displayIds: Type.Array(Type.String(), { description: 'The ids as users write them: 123, or 120_0, 120_1, … for an array' }),
});

export const AcctQuery = Type.Object({
  job: Type.Optional(Text('Comma-separated job ids (an array’s id: every element)')),
  user: Type.Optional(Text('Comma-separated owners')),
  account: Type.Optional(Text('Comma-separated accounts')),
  partition: Type.Optional(Text('Comma-separated partitions')),
  state: Type.Optional(Text('Comma-separated job states')),
  start: Type.Optional(Text('Window start on the scheduler’s clock, in ms: jobs not ended before it')),
  end: Type.Optional(Text('Window end, in ms: jobs submitted by then')),
  limit: Type.Optional(Text('Most rows, 1 to 100000 (default 10000)')),
});

export const AcctRow = Type.Object({
  jobId: Text('123, or 120_3'),
  id: Type.Integer(),
  name: Type.String(),
  user: Type.String(),
  account: Type.String(),
  partition: Type.String(),
  qos: Type.String(),
  class: Nullable(Type.String()),
  state: JobState,
  submit: Type.Integer(),
  start: Nullable(Type.Integer()),
  end: Nullable(Type.Integer()),
  elapsedMs: Type.Integer({ description: 'First task start to last task end (or now)' }),
  cores: Type.Integer({ description: 'Cores allocated, all tasks' }),
  coreHours: Type.Number({ description: 'Σ cores × run time over tasks, in hours' }),
  cpuMs: Type.Number({ description: 'CPU time the agents measured' }),
  memMb: Type.Integer({ description: 'Memory asked for, all tasks' }),
  nodes: Type.Array(Type.String()),
  exitCode: Text('code:signal of the worst task (real commands; 0:0 otherwise)'),
  energyJ: Type.Integer({ description: 'Σ run time × busy power × cores / node cores, in joules' }),
});
export const AcctReply = Type.Object({ jobs: Type.Array(AcctRow), truncated: Type.Boolean(), now: Type.Integer() });

export const UsageQuery = Type.Object({
  by: Type.Optional(Type.Enum(['account', 'region', 'class'], { description: 'Group by account (default), region (top of the account tree) or analysis class' })),
  start: Type.Optional(Type.String()),
  end: Type.Optional(Type.String()),
});
export const UsageRow = Type.Object({ key: Type.String(), jobs: Type.Integer(), coreHours: Type.Number(), energyKWh: Type.Number() });
export const UsageReply = Type.Object({ by: Type.String(), start: Type.Integer(), end: Type.Integer(), rows: Type.Array(UsageRow) });

export const FairShareRow = Type.Object({
  account: Type.String(),
  parent: Nullable(Type.String()),
  shares: Type.Number(),
  usageCoreMs: Type.Number({ description: 'Decayed usage of the account and the accounts under it, in core-ms (sshare RawUsage)' }),
  factor: Type.Number({ description: 'Fair Tree fair-share factor in [0, 1]' }),
});
export const FairShareReply = Type.Object({ accounts: Type.Array(FairShareRow) });

/** The answer to hold, release, update, requeue and top: the job (or every element of an array) as it is now. */
export const ControlReply = Type.Object({
  jobId: Type.Integer({ description: 'The id addressed (an array’s own id addresses every element)' }),
  applied: Count('How many jobs took the change'),
  jobs: Type.Array(JobView),
});

export const CancelReply = Type.Object({
  jobId: Type.Integer(),
  state: JobState,
  elements: Type.Optional(Count('For an array’s own id: how many elements were still active and are now cancelled')),
});

export const NodeView = Type.Object({
  name: Type.String(),
  container: Type.String(),
  kind: Type.String(),
  cooling: Cooling,
  state: NodeState,
  cores: Type.Integer(),
  coresUsed: Type.Integer(),
  memMb: Type.Integer(),
  memUsedMb: Type.Integer(),
  tasks: Type.Integer(),
});
/** Why a node is drained or down (sinfo -R). */
export const NodeReason = Type.Object({
  node: Type.String(),
  state: Type.Enum(['drain', 'down']),
  reason: Type.String(),
  by: Text('Who said so (the operator, or gsched for a node that stopped answering)'),
  at: Nullable(Type.Integer({ description: 'When, in ms since the epoch' })),
});
export const NodeList = Type.Object({ nodes: Type.Array(NodeView), reasons: Type.Array(NodeReason) });
export const NodeAdminRequest = Type.Object({
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Why, for the other operators (sinfo -R)' })),
  by: Type.Optional(Type.String({ maxLength: 64, description: 'Who: the operator’s name' })),
});

export const ContainerView = Type.Object({
  name: Type.String(),
  nodes: Type.Integer(),
  cores: Type.Integer(),
  coresUsed: Type.Integer(),
  coresDown: Type.Integer(),
});

export const AgentInfo = Type.Object({
  name: Type.String(),
  container: Type.String(),
  nodes: Type.Array(Type.String()),
  connected: Type.Boolean(),
  lastHeartbeatMs: Nullable(Type.Integer({ description: 'Time since its last heartbeat, in ms' })),
  running: Count('Attempts running on the agent, as of its last heartbeat'),
});

const clusterProps = {
  name: Type.String(),
  containers: Type.Array(ContainerView),
  cores: Type.Integer(),
  coresUsed: Type.Integer(),
  coresIdle: Type.Integer(),
  coresDown: Type.Integer(),
  pendingJobs: Type.Integer(),
  runningJobs: Type.Integer(),
  pendingTasks: Type.Integer(),
  runningTasks: Type.Integer(),
};
export const ClusterView = Type.Object(clusterProps);
export const ClusterReply = Type.Object({ ...clusterProps, agents: Type.Array(AgentInfo) });

/** Who a token is: its name is the owner of the jobs it submits. */
export const WhoAmIReply = Type.Object({
  id: Text('Token id (t_…)'),
  name: Text('The identity: owner of the jobs this token submits'),
  role: Type.String(),
  accounts: Type.Array(Type.String(), { description: 'The accounts a submitter may use; empty for other roles' }),
});

const Actor = Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() });

export const ConsentChange = Type.Object({
  action: ConsentAction,
  status: ConsentStatus,
  at: Type.Integer({ description: 'When, in ms since 1970' }),
  by: Actor,
  documentRef: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

export const ConsentRecord = Type.Object({
  pseudonym: Type.String(),
  status: ConsentStatus,
  written: Nullable(Type.Object({ documentRef: Type.String(), recordedBy: Actor, recordedAt: Type.Integer() }, { description: 'The written consent on record' })),
  restricted: Type.Boolean(),
  withdrawn: Type.Boolean(),
  updatedAt: Type.Integer(),
  history: Type.Array(ConsentChange),
});

export const ConsentReply = Type.Object({ pseudonym: Type.String(), status: ConsentStatus, record: Type.Optional(ConsentRecord) });

export const TokenInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  accounts: Type.Array(Type.String()),
  createdAt: Type.Integer(),
  createdBy: Type.String(),
  revokedAt: Nullable(Type.Integer()),
});
export const TokenCreated = Type.Object({ ...TokenInfo.properties, token: Text('The bearer token: shown this once, only its hash is kept') });
export const TokenList = Type.Object({ tokens: Type.Array(TokenInfo) });

export const AuditEntry = Type.Object({
  seq: Type.Integer({ description: 'Entry number, from 1' }),
  at: Type.Integer({ description: 'When, in ms since 1970' }),
  actor: Actor,
  client: Nullable(Text('The client address; null for the scheduler’s own acts')),
  action: Text('auth.failed, auth.denied, job.submit, job.cancel, node.drain, token.create, consent.change, consent.admit, consent.refuse, consent.hold, consent.stop, dispatch, …'),
  object: Type.String(),
  outcome: Type.String(),
  pseudonyms: Type.Array(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown()),
  prev: Text('Hash of the previous entry'),
  hash: Text('HMAC-SHA-256 chaining this entry to the previous one'),
});
export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry), next: Nullable(Type.Integer({ description: 'Pass as after= for the next page; null at the end' })) });
export const AuditVerdict = Type.Object({
  ok: Type.Boolean(),
  entries: Count('Entries verified'),
  head: Type.Optional(Text('Hash of the last entry, when the chain is intact')),
  firstBad: Type.Optional(Type.Integer({ description: 'The first entry edited, inserted or removed' })),
  reason: Type.Optional(Type.String()),
});

export const Health = Type.Object({ status: Type.Literal('ok'), agents: Count('Agents connected'), uptimeS: Count('Seconds since the API started') });

/** RFC 9457 problem details: every error the API returns. */
export const Problem = Type.Object({
  type: Text('urn:gsched:problem:<code in kebab case>'),
  title: Text('The HTTP status in words'),
  status: Type.Integer(),
  detail: Text('What was wrong, in a sentence a user can act on'),
  code: Text('A code from the error table (README, "Errors")'),
  field: Type.Optional(Text('The request field at fault, e.g. tasks[0].cores')),
  requestId: Type.Optional(Text('On a 5xx: a random reference the scheduler logged the failure under')),
});

export type JobState = Static<typeof JobState>;
export type JobSpec = Static<typeof JobSpec>;
export type JobCommand = Static<typeof JobCommand>;
export type ControlReply = Static<typeof ControlReply>;
export type JobUpdate = Static<typeof JobUpdate>;
export type JobView = Static<typeof JobView>;
export type JobDetail = Static<typeof JobDetail>;
export type JobList = Static<typeof JobList>;
export type TaskResult = Static<typeof TaskResult>;
export type SubmitReply = Static<typeof SubmitReply>;
export type AnalysisRequest = Static<typeof AnalysisRequest>;
export type RunRequest = Static<typeof RunRequest>;
export type RunReply = Static<typeof RunReply>;
export type RunAnalysis = Static<typeof RunAnalysis>;
export type CancelReply = Static<typeof CancelReply>;
export type NodeView = Static<typeof NodeView>;
export type ClusterView = Static<typeof ClusterView>;
export type ClusterReply = Static<typeof ClusterReply>;
export type WhoAmIReply = Static<typeof WhoAmIReply>;
export type AgentInfo = Static<typeof AgentInfo>;
export type ConsentRequest = Static<typeof ConsentRequest>;
export type ConsentReply = Static<typeof ConsentReply>;
export type ConsentAction = Static<typeof ConsentAction>;
export type ConsentRecord = Static<typeof ConsentRecord>;
export type Role = Static<typeof Role>;
export type TokenCreate = Static<typeof TokenCreate>;
export type TokenInfo = Static<typeof TokenInfo>;
export type TokenCreated = Static<typeof TokenCreated>;
export type AuditEntry = Static<typeof AuditEntry>;
export type AuditPage = Static<typeof AuditPage>;
export type AuditVerdict = Static<typeof AuditVerdict>;
export type Health = Static<typeof Health>;
export type Problem = Static<typeof Problem>;
export type ForecastReply = Static<typeof ForecastReply>;
export type JobForecastReply = Static<typeof JobForecastReply>;
export type JobForecast = Static<typeof JobForecast>;
export type TaskState = Static<typeof TaskState>;
export type TaskView = Static<typeof TaskView>;
export type TaskSpec = Static<typeof TaskSpec>;
export type PendingReason = Static<typeof PendingReason>;
export type Purpose = Static<typeof Purpose>;
export type Dependency = Static<typeof Dependency>;
export type DependencyKind = Static<typeof DependencyKind>;
export type NodeState = Static<typeof NodeState>;
export type Cooling = Static<typeof Cooling>;
export type ConsentStatus = Static<typeof ConsentStatus>;
export type ContainerView = Static<typeof ContainerView>;

// ---------------------------------------------------------------- the event stream (GET /api/v1/events)

/** `event: job`: a job was submitted, started, or ended (its new state). */
export const JobEvent = Type.Object({
  id: Type.Integer(),
  displayId: Type.String(),
  name: Type.String(),
  state: JobState,
  account: Type.String(),
  partition: Type.String(),
  class: Nullable(Type.String()),
  cores: Count('Cores of all its tasks'),
  pseudonyms: Type.Optional(Type.Array(Type.String(), { description: 'Left out for roles that do not see pseudonyms (viewer)' })),
});
/** `event: node`: a node changed state (down, up, drained, resumed). */
export const NodeEvent = Type.Object({ name: Type.String(), container: Type.String(), state: NodeState });
/** `event: consent`: a consent record changed. */
export const ConsentEvent = Type.Object({ pseudonym: Nullable(Text('null for roles that do not see pseudonyms')), status: ConsentStatus });
/** `event: reservation`: a reservation was created, changed or ended. */
export const ReservationEvent = Type.Object({ name: Type.String(), action: Type.String(), detail: Type.Optional(Type.Unknown()) });
/** `event: reset`: events since the client's Last-Event-ID are gone (restart or too old); re-read the state. */
export const ResetEvent = Type.Object({ reason: Type.String() });

export const EVENT_SCHEMAS = { job: JobEvent, node: NodeEvent, consent: ConsentEvent, reservation: ReservationEvent } as const;
export type EventKind = keyof typeof EVENT_SCHEMAS;
export type EventData = { [K in EventKind]: Static<(typeof EVENT_SCHEMAS)[K]> };
export type NodeList = Static<typeof NodeList>;
