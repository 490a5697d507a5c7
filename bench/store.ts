// bench:store — the durable state: how many submits per second are acknowledged durable
// (journal group commit, batched: many in flight at once), and how long a scheduler takes to
// be ready to schedule again with 1,000,000 job records in its state folder: BENCH_LIVE of them
// (default 10,000) still in the core (pending, in the latest snapshot), the rest ended and kept
// as accounting records, and a journal tail after the snapshot that a restart replays. The live driver and a real lmdb store in a temp folder, in
// process (no HTTP, no agents: bench:live measures those). Writes bench/results/store.json.
//
//   npm run bench:store
//   BENCH_SUBMITS=100000 BENCH_RECORDS=1000000 BENCH_RUNS=3 npm run bench:store
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadClusterConfig } from '../common/index.js';
import { LiveDriver, makeCore } from '../scheduler/driver/index.js';
import type { JobSpec, JobView } from '../scheduler/core/index.js';
import { Store, type JobRecord } from '../scheduler/store/index.js';
import { SMALL_CLUSTER } from '../scheduler/testing/index.js';
import { envNumber, median, round, table, writeResult } from './stats.js';

const SUBMITS = envNumber('BENCH_SUBMITS', 100_000, { integer: true });
const RECORDS = envNumber('BENCH_RECORDS', 1_000_000, { integer: true });
const RUNS = envNumber('BENCH_RUNS', 3, { integer: true });
/** Submits in flight at once in the throughput run (what many concurrent clients make). */
const IN_FLIGHT = envNumber('BENCH_IN_FLIGHT', 1000, { integer: true });
/** Job records per array submit when filling the folder. */
const ARRAY = 1000;
/** Journal records written after the latest snapshot, replayed on restart. */
const TAIL = envNumber('BENCH_TAIL', 10_000, { integer: true });
/** Job records still in the core (pending) when the snapshot is taken; the rest are accounting records. */
const LIVE = envNumber('BENCH_LIVE', 10_000, { integer: true });

const config = loadClusterConfig(SMALL_CLUSTER());
const log = pino({ level: 'silent' });

function job(over: Partial<JobSpec> = {}): JobSpec {
  return { name: 'bench', owner: 'bench', account: 'rh-genetics', partition: 'clinical', qos: 'normal', purpose: 'treatment', pseudonyms: [], tasks: [{ cores: 1, memMb: 512 }], ...over } as JobSpec;
}

function open(dir: string, snapshotEveryRecords = 100_000_000): LiveDriver {
  return new LiveDriver({ core: makeCore(config), store: new Store(dir), log, timeScale: 1, forgetAfterMs: 86_400_000, snapshotEveryRecords, snapshotEveryMs: 86_400_000 });
}

/** Durable submits per second: IN_FLIGHT submits outstanding at any time, each resolved once on disk. */
async function submitRun(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'gsched-bench-store-'));
  try {
    const d = open(dir);
    const spec = job();
    let sent = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      const one = (): void => {
        if (sent >= SUBMITS) return;
        sent++;
        d.submit(spec).then((r) => {
          if (!r.ok) return reject(new Error(r.error.message));
          if (++done === SUBMITS) resolve();
          else one();
        }, reject);
      };
      for (let i = 0; i < IN_FLIGHT; i++) one();
    });
    const s = (performance.now() - t0) / 1000;
    await d.close();
    await d.store.close();
    return SUBMITS / s;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An ended one-task job as the driver files it when the core forgets it. */
function accountingRecord(id: number): JobRecord {
  const task = { id, index: 0, name: 't0', state: 'COMPLETED', node: 'c1-n001', cores: 1, memMb: 512, timeLimitMs: 86_400_000, startedAt: 1000, endedAt: 61_000, after: [], attempts: 1, preemptions: 0, requeues: 0 };
  const view = { id, displayId: String(id), name: 'bench', owner: 'bench', account: 'rh-genetics', partition: 'clinical', qos: 'normal', purpose: 'treatment', state: 'COMPLETED', reason: 'None', submittedAt: 0, startedAt: 1000, endedAt: 61_000, tasks: [task] };
  return { ...(view as unknown as JobView), results: [{ taskId: id, attempt: 1, node: 'c1-n001', outcome: 'completed', cpuMs: 60_000, wallMs: 60_000, kernel: 'noop', summary: null }] };
}

/** Fills a folder with RECORDS job records (LIVE pending in arrays of 1,000, the rest accounting records), a snapshot, then a journal tail. */
async function fill(dir: string): Promise<{ fillS: number; snapshotS: number; snapshotBytes: number }> {
  const t0 = performance.now();
  const d = open(dir);
  const spec = job({ array: `0-${ARRAY - 1}` });
  const acks: Promise<unknown>[] = [];
  for (let n = 0; n < LIVE; n += ARRAY) {
    acks.push(d.submit(spec));
    if (acks.length >= 20) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
  for (let id = 10_000_000; id < 10_000_000 + RECORDS - LIVE; id++) {
    // Filed as the driver files an ended job: the record and its accounting-index entries.
    const rec = accountingRecord(id);
    acks.push(d.store.putJob(rec), d.acct.add(rec));
    if (acks.length >= 10_000) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
  const fillS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await d.snapshot();
  const snapshotS = (performance.now() - t1) / 1000;
  const snapshotBytes = d.store.snapshotMeta()?.bytes ?? 0;
  // The tail: consent records (cheap events) after the snapshot, replayed on restart.
  for (let i = 0; i < TAIL; i++) acks.push(d.consent(`p${i}`, 'granted'));
  await Promise.all(acks);
  await d.close();
  await d.store.close();
  return { fillS, snapshotS, snapshotBytes };
}

/** Seconds from opening the folder until the driver is ready to schedule (restore + tail replay). */
async function recover(dir: string): Promise<{ s: number; jobs: number }> {
  const t0 = performance.now();
  const d = open(dir);
  const s = (performance.now() - t0) / 1000;
  const jobs = d.core.cluster().pendingJobs;
  if (d.store.jobs.count + jobs < RECORDS) throw new Error(`the folder holds ${d.store.jobs.count} records and ${jobs} pending jobs, not ${RECORDS}`);
  await d.close();
  await d.store.close();
  return { s, jobs };
}

async function main(): Promise<void> {
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    rates.push(await submitRun());
    process.stderr.write(`submit run ${r + 1}/${RUNS}: ${Math.round(rates.at(-1) as number)}/s\n`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gsched-bench-recover-'));
  let filled;
  const recoveries: number[] = [];
  let jobs = 0;
  try {
    filled = await fill(dir);
    process.stderr.write(`filled ${RECORDS} job records in ${filled.fillS.toFixed(1)} s; snapshot ${filled.snapshotS.toFixed(1)} s, ${filled.snapshotBytes} bytes\n`);
    for (let r = 0; r < RUNS; r++) {
      const rec = await recover(dir);
      recoveries.push(rec.s);
      jobs = rec.jobs;
      process.stderr.write(`recovery run ${r + 1}/${RUNS}: ${rec.s.toFixed(2)} s (${rec.jobs} jobs)\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const result = {
    durable_submits_per_sec: Math.round(median(rates)),
    durable_submits_runs: rates.map((x) => Math.round(x)),
    submits_per_run: SUBMITS,
    in_flight: IN_FLIGHT,
    recovery_s_1m: round(median(recoveries), 2),
    recovery_runs_s: recoveries.map((x) => round(x, 2)),
    job_records: RECORDS,
    job_records_live: LIVE,
    jobs_restored: jobs,
    journal_tail_records: TAIL,
    snapshot_write_s: round(filled.snapshotS, 2),
    snapshot_bytes: filled.snapshotBytes,
    load_1m: round(loadavg()[0] ?? 0, 2),
  };
  process.stdout.write(
    `${table([
      ['measure', 'median', 'runs'],
      ['durable submits/s (batched)', result.durable_submits_per_sec, result.durable_submits_runs.join(' ')],
      [`recovery with ${RECORDS.toLocaleString('en-US')} job records (s)`, result.recovery_s_1m, result.recovery_runs_s.join(' ')],
    ])}\n`,
  );
  process.stdout.write(`wrote ${writeResult('store', result)}\n`);
}

void main();
