// GET /api/v1/stats: the metrics snapshot as JSON, with a few minutes of history, for the
// dashboard (it shows what /metrics says, from the same snapshot).
import { Type, type Static } from 'typebox';
import { JobState, PendingReason } from './schemas.js';

const Num = (description: string) => Type.Number({ description });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const CoreTotals = Type.Object({
  total: Type.Integer(),
  allocated: Type.Integer(),
  idle: Type.Integer(),
  drained: Type.Integer({ description: 'Free cores of draining or drained nodes' }),
  down: Type.Integer(),
});

export const ContainerStats = Type.Object({
  name: Type.String(),
  cores: CoreTotals,
  powerWatts: Num('Power drawn now'),
  heatWatts: Num('Heat handed to the warm-water loop now'),
  energyJoules: Num('Energy used since the scheduler started'),
  heatJoules: Num('Heat recovered since the scheduler started'),
});

export const PassStats = Type.Object(
  {
    count: Type.Integer({ description: 'Scheduling passes since the scheduler started' }),
    lastMs: Num('Wall ms the latest pass took'),
    maxMs: Num('Wall ms the longest pass took'),
    meanMs: Num('Mean wall ms of a pass (0 before the first)'),
    meanDecisions: Num('Mean decisions (starts, stops) a pass made'),
    meanWaitMs: Num('Mean wall ms a pass waited from the first request for it (an event, a timer) until it ran'),
    maxWaitMs: Num('Longest such wait, in wall ms'),
  },
  { description: "The scheduler's main loop, as sdiag's main schedule statistics (since the scheduler started)" },
);

export const DashboardStats = Type.Object({
  takenAt: Type.Integer({ description: 'When the snapshot was taken, ms since the epoch' }),
  schedulerNow: Type.Integer({ description: "The scheduler's (modelled) clock then, in ms" }),
  cores: CoreTotals,
  containers: Type.Array(ContainerStats),
  jobs: Type.Array(Type.Object({ state: JobState, partition: Type.String(), account: Type.String(), class: Type.String({ description: "'' when the job has no class" }), count: Type.Integer() })),
  pendingByReason: Type.Array(Type.Object({ reason: PendingReason, count: Type.Integer() })),
  jobsEnded: Type.Integer({ description: 'Jobs that ended since the scheduler started' }),
  passes: PassStats,
  fairshare: Type.Array(Type.Object({ account: Type.String(), parent: Nullable(Type.String()), shares: Type.Number(), usageCoreSeconds: Type.Number(), factor: Type.Number() })),
  history: Type.Object(
    {
      t: Type.Array(Type.Integer(), { description: 'Sample times, ms since the epoch' }),
      utilization: Type.Array(Type.Number(), { description: 'Allocated over up cores, 0 to 1' }),
      jobsPerMinute: Type.Array(Type.Number(), { description: 'Jobs ended per wall minute' }),
      powerWatts: Type.Array(Type.Number()),
      heatWatts: Type.Array(Type.Number()),
    },
    { description: 'One sample per snapshot, oldest first (the last 10 minutes)' },
  ),
});

export type CoreTotals = Static<typeof CoreTotals>;
export type ContainerStats = Static<typeof ContainerStats>;
export type PassStats = Static<typeof PassStats>;
export type DashboardStats = Static<typeof DashboardStats>;
