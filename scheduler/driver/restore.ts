// Which state a start rebuilds from: the latest snapshot, or, when that snapshot was written by
// a build whose core state has another layout (it would be misread), whatever the folder still
// holds that this build can read: an older snapshot of this layout and the journal after its
// marker, or the whole journal. Only when neither is left is the start refused.
import { configFingerprint, layoutFingerprint, type ClusterConfig } from '../core/index.js';
import { StateCorruptError, StateDirError, type SnapshotMeta, type StoredSnapshot, type Store } from '../store/index.js';
import type { Books, SnapshotHeader } from './books.js';
import type { CoreApi } from './core-api.js';

/** The latest snapshot a start passed over (another build's layout), and what it used instead. */
export interface PassedOverSnapshot {
  id: string;
  seq: number;
  /** The layout its header names; null when written before layouts were recorded. */
  layout: string | null;
  /** `journal`: replayed from the journal's start; else the id of the older snapshot restored. */
  instead: 'journal' | { snapshot: string };
}

export interface Restored {
  core: CoreApi;
  /** The snapshot restored (replay goes on after its marker); null: replay the whole journal. */
  restored: { id: string; seq: number; now: number } | null;
  /** Set when the latest snapshot could not be used: the caller warns and takes a fresh one. */
  passedOver: PassedOverSnapshot | null;
}

const layoutOf = (stored: StoredSnapshot): string | null => (stored.header as SnapshotHeader).layout ?? null;

/**
 * Loads the state folder's latest usable snapshot into `core` (or into a core for the config it
 * was taken under, built by `coreFor`) and `books`. Which core holds the state is returned: a
 * changed config file never stops a start.
 */
export function restoreLatest(
  store: Store,
  core: CoreApi,
  books: Books,
  coreFor: ((config: ClusterConfig) => CoreApi) | undefined,
  onOtherConfig: (snapshot: string | null) => void,
): Restored {
  const latest = store.loadSnapshot();
  if (latest === undefined) return { core: journalCore(store, core, coreFor, onOtherConfig), restored: null, passedOver: null };
  const layout = layoutOf(latest);
  if (layout === layoutFingerprint()) return { ...restoreFrom(store, latest, core, books, coreFor, onOtherConfig), passedOver: null };
  const passed = { id: latest.meta.id, seq: latest.meta.seq, layout };
  const older = olderReadable(store);
  if (older !== null) {
    return { ...restoreFrom(store, older, core, books, coreFor, onOtherConfig), passedOver: { ...passed, instead: { snapshot: older.meta.id } } };
  }
  if (store.journalFromStart()) return { core: journalCore(store, core, coreFor, onOtherConfig), restored: null, passedOver: { ...passed, instead: 'journal' } };
  throw new SnapshotLayoutError(store.dir, latest.meta, layout, store.journal.firstKey() ?? null, store.journal.lastKey() ?? null);
}

/** The newest older snapshot of this build's layout whose journal tail is all still there. */
function olderReadable(store: Store): StoredSnapshot | null {
  for (const meta of store.olderSnapshots()) {
    if (store.markerPos(meta.seq, meta.id) === undefined) continue; // compacted behind a later one
    let stored: StoredSnapshot | undefined;
    try {
      stored = store.loadSnapshot(meta);
    } catch (err) {
      // A damaged spare is no worse than none: the whole journal may still do.
      if (err instanceof StateCorruptError) continue;
      throw err;
    }
    if (stored !== undefined && layoutOf(stored) === layoutFingerprint()) return stored;
  }
  return null;
}

/** The core the whole journal replays into: one for the config the journal began under. */
function journalCore(store: Store, core: CoreApi, coreFor: ((config: ClusterConfig) => CoreApi) | undefined, onOtherConfig: (snapshot: string | null) => void): CoreApi {
  const recorded = store.meta.get('cluster') as ClusterConfig | undefined;
  if (recorded !== undefined && configFingerprint(recorded) !== configFingerprint(core.config) && coreFor) {
    onOtherConfig(null);
    return coreFor(recorded);
  }
  return core;
}

function restoreFrom(
  store: Store,
  stored: StoredSnapshot,
  core: CoreApi,
  books: Books,
  coreFor: ((config: ClusterConfig) => CoreApi) | undefined,
  onOtherConfig: (snapshot: string | null) => void,
): Omit<Restored, 'passedOver'> {
  const header = stored.header as SnapshotHeader;
  let into = core;
  if (configFingerprint(header.config) !== configFingerprint(core.config)) {
    if (!coreFor) throw new SnapshotConfigError(store.dir);
    onOtherConfig(stored.meta.id);
    into = coreFor(header.config);
  }
  into.restore({ ...header.core, objs: stored.objs });
  books.restore(header.book);
  return { core: into, restored: { id: stored.meta.id, seq: stored.meta.seq, now: stored.meta.now } };
}

/** Thrown when the state folder's snapshot cannot be used with this configuration. */
export class SnapshotConfigError extends StateDirError {
  constructor(dir: string) {
    super(dir, 'its latest snapshot was taken under another cluster config, and no core can be built for that config here');
    this.name = 'SnapshotConfigError';
  }
}

/**
 * Thrown when the latest snapshot was written by a build whose core state has another layout
 * (an upgrade or downgrade changed its records), and neither an older snapshot of this layout
 * nor the whole journal is left to rebuild the state from: restoring it would misread jobs.
 */
export class SnapshotLayoutError extends StateDirError {
  constructor(
    dir: string,
    readonly snapshot: SnapshotMeta,
    /** The layout the snapshot names; null: written before layouts were recorded. */
    readonly layout: string | null,
    /** The journal groups the folder still holds (null when none). */
    readonly journalFirst: number | null,
    readonly journalLast: number | null,
  ) {
    const writer = layout === null ? 'a gsched build from before state layouts were recorded' : `a gsched build with state layout ${layout}`;
    const journal = journalFirst === null ? 'no journal' : `journal groups ${journalFirst}-${journalLast ?? journalFirst} only (groups 1-${journalFirst - 1} were compacted into that snapshot)`;
    super(
      dir,
      `its latest snapshot (${snapshot.id}, at journal group ${snapshot.seq}) was written by ${writer}, which this build (state layout ${layoutFingerprint()}) would misread; ` +
        `the folder holds ${journal} and no older snapshot this build reads, so the state cannot be rebuilt. ` +
        `Start the gsched build that wrote the folder${layout === null ? '' : ` (state layout ${layout})`} to use it, or restore the folder from a backup, or move it aside to start afresh`,
    );
    this.name = 'SnapshotLayoutError';
  }
}
