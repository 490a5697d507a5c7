// A CPU profile of every Node process of a bench run, scheduler and agents included: Node 20
// refuses --cpu-prof in NODE_OPTIONS, but accepts --import, and child processes inherit it.
//
//   NODE_OPTIONS="--import $PWD/dist/bench/cpu-profile-preload.js" PROFILE_DIR=/tmp/prof \
//     BENCH_ONLY=single BENCH_FLOOR=0 BENCH_SINGLE_RUNS=1 node dist/bench/live.js
//   node dist/bench/profile-top.js /tmp/prof/scheduler-*.cpuprofile
//
// Each process's main thread is profiled from start to exit (worker threads are not) and
// written as `<role>-<pid>.cpuprofile` into PROFILE_DIR (default: the working directory; made
// if missing).
// The profiler itself costs CPU: read its figures as shares, not as the run's throughput.
import { Session, type Profiler } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';
import { writeProfileAtExit } from './profile-file.js';

/** Sampling period in µs: V8's default of 1,000 sees too few samples of a ~200 µs request. */
const INTERVAL_US = Number(process.env.PROFILE_INTERVAL_US ?? 200);

if (isMainThread) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  session.post('Profiler.start');
  writeProfileAtExit('cpuprofile', (done) => session.post('Profiler.stop', (err, r: Profiler.StopReturnType) => done(err, r?.profile)));
}
