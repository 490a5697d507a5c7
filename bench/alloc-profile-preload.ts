// An allocation profile of every Node process of a bench run: V8's sampling heap profiler,
// counting what was allocated whether or not it was collected since (by default it keeps only
// what is still alive at the end, which says nothing about garbage). The companion of
// cpu-profile-preload.ts; children inherit it through NODE_OPTIONS.
//
//   NODE_OPTIONS="--import $PWD/dist/bench/alloc-profile-preload.js" PROFILE_DIR=/tmp/alloc \
//     node dist/bench/sim.js --child ngc-steady-60k
//   node dist/bench/alloc-top.js /tmp/alloc/sim-*.heapprofile
//
// Each process's main thread is sampled from start to exit and written as
// `<role>-<pid>.heapprofile` (Chrome DevTools opens it) into PROFILE_DIR (default: the working
// directory). Sampling costs time: read its bytes per function, not the run's speed.
import { Session, type HeapProfiler } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';
import { writeProfileAtExit } from './profile-file.js';

/** Mean bytes between samples: V8's default of 32 KiB gives ~70,000 samples of 2 GB. */
const INTERVAL_B = Number(process.env.PROFILE_ALLOC_INTERVAL ?? 16_384);

if (isMainThread) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  // The two include flags are newer than @types/node's protocol types (V8 has them since 9.x).
  session.post('HeapProfiler.startSampling', {
    samplingInterval: INTERVAL_B,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as HeapProfiler.StartSamplingParameterType);
  writeProfileAtExit('heapprofile', (done) => session.post('HeapProfiler.stopSampling', (err, r: HeapProfiler.StopSamplingReturnType) => done(err, r?.profile)));
}
