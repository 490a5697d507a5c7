// The layout of the core's state, as a fingerprint a snapshot carries.
//
// A snapshot stores objects by their field names (snapshot.ts), and the journal behind it is
// compacted away, so a gsched whose records have other fields (a field added, renamed or
// dropped in an upgrade) would restore a state it misreads, with nothing left to replay. The
// fingerprint is the set of shapes (class and field names) a small probe core's snapshot
// holds: jobs of several kinds pending, running, held, ended, under each policy. The same code
// gives the same fingerprint; a changed record layout gives another, and restore refuses.
// SNAPSHOT_FORMAT still covers what names cannot show (a field whose meaning changed).
// Pure, and computed once per process (a few milliseconds).

import { parseClusterConfig, type ClusterFile } from './config.js';
import { SchedulerCore } from './core.js';
import { objectShapes, snapshotOf, textFingerprint } from './snapshot.js';
import type { CoreEvent, JobSpec, Policy } from './types.js';

const HOUR = 3_600_000;

function probeFile(policy: Policy): ClusterFile {
  return {
    name: 'layout-probe',
    nodeKinds: [{ name: 'k', cores: 4, memMb: 16_000, idleWatts: 100, busyWatts: 400 }],
    containers: [{ name: 'c', groups: [{ kind: 'k', count: 2, cooling: 'warm-water' }] }],
    partitions: [
      { name: 'clinical', containers: [], priorityFactor: 1, maxTimeMs: 30 * 24 * HOUR, defaultTimeMs: HOUR, preemptible: false },
      { name: 'research', containers: [], priorityFactor: 0.2, maxTimeMs: 30 * 24 * HOUR, defaultTimeMs: HOUR, preemptible: true },
    ],
    qos: [
      { name: 'urgent', priorityFactor: 1, canPreempt: true },
      { name: 'normal', priorityFactor: 0.5, canPreempt: false },
    ],
    accounts: [{ name: 'a', shares: 1 }],
    scheduler: {
      policy,
      backfillDepth: 100,
      backfillIntervalMs: 0,
      preemption: true,
      weights: { age: 10, fairshare: 10, qos: 10, partition: 0, size: 0, maxAgeMs: 24 * HOUR, usageHalfLifeMs: 24 * HOUR },
    },
  };
}

const spec = (name: string, extra: Partial<JobSpec>): JobSpec => ({
  name,
  owner: 'probe',
  account: 'a',
  partition: 'clinical',
  qos: 'normal',
  pseudonyms: [],
  tasks: [{ cores: 2, memMb: 1_000, timeLimitMs: HOUR }],
  ...extra,
});

/** Jobs of every kind the core keeps records for, and the events that move them on. */
function probeEvents(): CoreEvent[] {
  return [
    { type: 'submit', job: spec('dag', { pseudonyms: ['P1'], tasks: [{ cores: 2, memMb: 1_000, timeLimitMs: HOUR }, { cores: 4, memMb: 2_000, timeLimitMs: HOUR, after: [0], retries: 1 }] }) },
    { type: 'submit', job: spec('array', { array: '0-3%2', class: 'wgs' }) },
    { type: 'submit', job: spec('big', { tasks: [{ cores: 4, memMb: 8_000, timeLimitMs: 4 * HOUR }] }) },
    { type: 'submit', job: spec('held', { hold: true, nice: 5 }) },
    { type: 'submit', job: spec('later', { beginAt: 10 * HOUR, dependencies: [{ kind: 'afterok', jobId: 1 }] }) },
    { type: 'submit', job: spec('research', { partition: 'research', purpose: 'research', pseudonyms: ['P2'] }) },
    { type: 'reservationCreate', reservation: { name: 'maint', nodes: ['c-n001'], startAt: 20 * HOUR, durationMs: HOUR, maint: true } },
    { type: 'consent', pseudonym: 'P2', status: 'withdrawn' },
    { type: 'submit', job: spec('urgent', { qos: 'urgent', tasks: [{ cores: 4, memMb: 8_000, timeLimitMs: HOUR }, { cores: 4, memMb: 8_000, timeLimitMs: HOUR }] }) },
    { type: 'cancel', jobId: 3 },
    { type: 'drain', node: 'c-n002' },
  ];
}

let shapesCache: ReadonlySet<string> | undefined;
let fingerprintCache: string | undefined;

/** The shapes (`Class:field,…`) the probe cores' snapshots hold. */
export function layoutShapes(): ReadonlySet<string> {
  if (shapesCache !== undefined) return shapesCache;
  const shapes = new Set<string>();
  for (const policy of ['fcfs', 'easy', 'conservative'] as const) {
    const config = parseClusterConfig(probeFile(policy));
    const core = new SchedulerCore(config);
    const look = (): void => {
      for (const shape of objectShapes(snapshotOf(core, config))) shapes.add(shape);
    };
    let now = 0;
    const step = (event: CoreEvent): void => {
      core.apply(event, now);
      look(); // between an event and the pass, decisions wait in the core's outbox
      core.schedule(now);
      now += 60_000;
    };
    for (const event of probeEvents()) step(event);
    const running = core.jobs({}).flatMap((j) => j.tasks).find((t) => t.state === 'RUNNING');
    if (running !== undefined) step({ type: 'taskEnded', taskId: running.id, outcome: 'completed' });
    look();
  }
  shapesCache = shapes;
  return shapes;
}

/** The fingerprint of this code's state layout (see the file comment). */
export function layoutFingerprint(): string {
  fingerprintCache ??= textFingerprint([...layoutShapes()].sort().join('\n'));
  return fingerprintCache;
}
