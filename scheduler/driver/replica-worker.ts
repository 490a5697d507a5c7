// The scheduler's side of the snapshot worker (snapshot-worker.ts): started on the first
// snapshot, asked for one snapshot at a time, closed with the driver.
import { Worker } from 'node:worker_threads';
import { compiledPath } from '../../common/index.js';
import type { ClusterConfig } from '../core/index.js';

/** The snapshot worker's thread name (`top -H`, bench:ngc's CPU by thread). */
export const REPLICA_THREAD_NAME = 'gsched-replica';

export interface ReplicaJob {
  dir: string;
  /** A config a core can be built from (the replica restores under the state folder's own). */
  config: ClusterConfig;
}

export type ReplicaOrder = { type: 'snapshot'; id: string; seq: number; now: number } | { type: 'close' };

export type ReplicaReply =
  | { type: 'written'; id: string; objects: number; bytes: number; records: number; ms: number }
  | { type: 'failed'; id: string; message: string; diverged: boolean };

/** The worker could not take a snapshot; `diverged` when its replica disagreed with the live core. */
export class ReplicaSnapshotError extends Error {
  constructor(
    message: string,
    readonly diverged: boolean,
  ) {
    super(message);
    this.name = 'ReplicaSnapshotError';
  }
}

export class ReplicaWorker {
  private worker: Worker | null = null;
  private waiting: { id: string; resolve: (r: Extract<ReplicaReply, { type: 'written' }>) => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly job: ReplicaJob) {}

  private start(): Worker {
    const w = new Worker(compiledPath('scheduler/driver/snapshot-worker.ts'), { workerData: this.job });
    w.unref();
    w.on('message', (m: ReplicaReply) => {
      const wait = this.waiting;
      if (wait?.id !== m.id) return;
      this.waiting = null;
      if (m.type === 'written') wait.resolve(m);
      else wait.reject(new ReplicaSnapshotError(m.message, m.diverged));
    });
    const gone = (why: string): void => {
      this.worker = null;
      this.waiting?.reject(new ReplicaSnapshotError(`the snapshot worker ${why}`, false));
      this.waiting = null;
    };
    w.on('error', (err) => gone(`failed: ${err.message}`));
    w.on('exit', (code) => gone(`exited with code ${code}`));
    return w;
  }

  /** Has the worker write snapshot `id`, whose marker is durable in journal group `seq`. One at a time. */
  snapshot(id: string, seq: number, now: number): Promise<Extract<ReplicaReply, { type: 'written' }>> {
    if (this.waiting) return Promise.reject(new Error('a snapshot is already being taken'));
    this.worker ??= this.start();
    const w = this.worker;
    return new Promise((resolve, reject) => {
      this.waiting = { id, resolve, reject };
      w.postMessage({ type: 'snapshot', id, seq, now } satisfies ReplicaOrder);
    });
  }

  /** Closes the worker's store and ends it (at once if it does not end within a second). */
  async close(): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    this.worker = null;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage({ type: 'close' } satisfies ReplicaOrder);
    const timer = setTimeout(() => void w.terminate(), 1000);
    await exited;
    clearTimeout(timer);
  }
}
