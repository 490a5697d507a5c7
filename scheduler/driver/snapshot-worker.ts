// The worker thread that takes the live driver's snapshots (replica.ts): it opens the state
// folder, follows the journal to each snapshot's marker and writes the snapshot there, so the
// scheduler's own thread never copies its state. Messages are typed in replica-worker.ts.
// It runs at the lowest CPU priority: following the journal replays every pass since the last
// snapshot, and on a small host that replay competed with the passes and acknowledgements it
// copies; a snapshot that comes later costs a restart a longer journal tail, nothing more.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority, nameThread } from '../../common/index.js';
import { Store } from '../store/index.js';
import { Replica, ReplicaDivergedError } from './replica.js';
import { REPLICA_THREAD_NAME, type ReplicaJob, type ReplicaOrder, type ReplicaReply } from './replica-worker.js';

const job = workerData as ReplicaJob;
const port = parentPort;
if (port === null) throw new Error('snapshot-worker.js runs as a worker thread');
nameThread(REPLICA_THREAD_NAME);
lowerThreadPriority();
let store: Store | null = null;
let replica: Replica | null = null;
const reply = (m: ReplicaReply): void => port.postMessage(m);

port.on('message', (order: ReplicaOrder) => {
  if (order.type === 'close') {
    void (store?.close() ?? Promise.resolve()).finally(() => port.close());
    return;
  }
  void (async () => {
    const t0 = performance.now();
    try {
      store ??= new Store(job.dir);
      // lmdb keeps a read transaction open between reads: see what the scheduler committed since.
      store.root.resetReadTxn();
      replica ??= new Replica(store, job.config);
      const records = replica.follow(order.id);
      const { objects, bytes } = await replica.write(order.id, order.seq, order.now);
      reply({ type: 'written', id: order.id, objects, bytes, records, ms: performance.now() - t0 });
    } catch (err) {
      replica = null; // rebuilt from the latest snapshot next time, unless it diverged
      reply({ type: 'failed', id: order.id, message: (err as Error).message, diverged: err instanceof ReplicaDivergedError });
    }
  })();
});
