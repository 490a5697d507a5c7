// Public surface of the real-time driver.
export { LiveDriver, displayIdsOf, type DriverOptions, type Accepted } from './driver.js';
export { ScaledClock, clockAnchor } from './clock.js';
export { NO_DISPATCHER, combineObservers, type Dispatcher, type DriverObserver, type EndedJob, type SnapshotOutcome } from './dispatcher.js';
export type { CoreApi, CoreFactory } from './core-api.js';
export { makeCore } from './make-core.js';
export { replayDivergence, replayRecord, type Replayed, type ReplayableRecord } from './replay-record.js';
export { WAITING_TASKS, type RefillFigures, type RefillState } from './refill-watch.js';
