import { describe, expect, it } from 'vitest';
import type { ConsentStatus, JobSpec, Ms, TaskSpec } from '../../scheduler/core/index.js';
import { loadClusterConfig } from '../../common/index.js';
import { ACCOUNTS_USED, URGENT_TARGET_MS, HOUR_MS } from '../../scheduler/pipelines/index.js';
import { DAY_MS, hourOf, weekdayOf } from './arrivals.js';
import { WorkloadOptionError } from './errors.js';
import { describeNgcModel, NGC_CLASSES, ngcWorkload, type NgcOptions, type WorkloadItem } from './index.js';

const KERNELS = new Set(['qc', 'align', 'merge', 'call', 'gather']);
const CPR = /\d{6}-?\d{4}/;

function take(opts: NgcOptions, limit = Infinity): WorkloadItem[] {
  const out: WorkloadItem[] = [];
  for (const it of ngcWorkload(opts)) {
    if (out.length >= limit) break;
    out.push(it);
  }
  return out;
}

const coreHours = (job: JobSpec): number => job.tasks.reduce((s, t) => s + t.cores * (t.durationMs ?? 0), 0) / HOUR_MS;

/** The longest chain of modelled durations through the DAG. */
function criticalPath(tasks: TaskSpec[]): Ms {
  const finish: number[] = [];
  tasks.forEach((t, i) => {
    finish[i] = Math.max(0, ...(t.after ?? []).map((a) => finish[a] ?? 0)) + (t.durationMs ?? 0);
  });
  return Math.max(...finish);
}

// One pass over the default 60,000-analysis workload, shared by the whole-workload tests.
const FULL = (() => {
  const byClass = new Map<string, { n: number; coreHours: number; tasks: number }>();
  let count = 0;
  let tasks = 0;
  let last = -1;
  let sorted = true;
  for (const it of ngcWorkload({ analyses: 60_000, seed: 7, scenario: 'steady' })) {
    count++;
    tasks += it.job.tasks.length;
    if (it.submitAt < last) sorted = false;
    last = it.submitAt;
    const c = byClass.get(it.job.class ?? '') ?? { n: 0, coreHours: 0, tasks: 0 };
    c.n++;
    c.coreHours += coreHours(it.job);
    c.tasks += it.job.tasks.length;
    byClass.set(it.job.class ?? '', c);
  }
  return { byClass, count, tasks, last, sorted };
})();

describe('ngcWorkload options', () => {
  const base: NgcOptions = { analyses: 10, seed: 1, scenario: 'steady' };
  const bad: [string, Record<string, unknown>][] = [
    ['analyses', { analyses: 0 }],
    ['analyses', { analyses: 2.5 }],
    ['analyses', { analyses: 10_000_001 }],
    ['analyses', { analyses: '10' }],
    ['seed', { seed: 1.5 }],
    ['seed', { seed: Number.NaN }],
    ['seed', { seed: undefined }],
    ['scenario', { scenario: 'rush' }],
    ['perDay', { perDay: 0 }],
    ['perDay', { perDay: -3 }],
    ['perDay', { perDay: Number.POSITIVE_INFINITY }],
    ['perDay', { analyses: 10_000_000, perDay: 0.01 }],
    ['years', { years: 0 }],
    ['years', { years: 1000 }],
  ];
  it.each(bad)('rejects a bad %s at once, naming the field', (field, patch) => {
    const opts = { ...base, ...patch } as unknown as NgcOptions;
    expect(() => ngcWorkload(opts)).toThrow(WorkloadOptionError);
    try {
      ngcWorkload(opts);
    } catch (err) {
      expect((err as WorkloadOptionError).field).toBe(field);
      expect((err as Error).message).toContain(field);
    }
  });

  it('rejects a non-object', () => {
    expect(() => ngcWorkload(null as unknown as NgcOptions)).toThrow(/options/);
  });
});

describe('determinism', () => {
  it('yields the same items for the same seed, on every iteration', () => {
    const w = ngcWorkload({ analyses: 1500, seed: 42, scenario: 'steady' });
    const a = JSON.stringify([...w]);
    expect(JSON.stringify([...w])).toBe(a);
    expect(JSON.stringify(take({ analyses: 1500, seed: 42, scenario: 'steady' }))).toBe(a);
  });

  it('yields different items for another seed', () => {
    const a = JSON.stringify(take({ analyses: 200, seed: 1, scenario: 'steady' }));
    const b = JSON.stringify(take({ analyses: 200, seed: 2, scenario: 'steady' }));
    expect(a).not.toBe(b);
  });

  it('yields exactly the requested count, in order, for tiny and short workloads', () => {
    const cases: NgcOptions[] = [];
    for (const analyses of [1, 2, 7, 20, 130]) {
      cases.push({ analyses, seed: analyses, scenario: 'steady' });
      cases.push({ analyses, seed: analyses, scenario: 'burst' });
      cases.push({ analyses, seed: analyses, scenario: 'steady', perDay: 3.5 });
      cases.push({ analyses, seed: analyses, scenario: 'steady', years: 0.01 });
    }
    for (const opts of cases) {
      const items = take(opts);
      expect(items, JSON.stringify(opts)).toHaveLength(opts.analyses);
      expect(items.every((it, i) => i === 0 || it.submitAt >= (items[i - 1]?.submitAt ?? 0))).toBe(true);
    }
  });

  it('is lazy: the first item of a 10M-analysis workload comes at once', () => {
    const it = ngcWorkload({ analyses: 10_000_000, seed: 3, scenario: 'steady', perDay: 1000 })[Symbol.iterator]();
    expect(it.next().done).toBe(false);
  });
});

describe('the default 60,000-analysis workload', () => {
  it('has exactly 60,000 analyses in time order over 4.5 years', () => {
    expect(FULL.count).toBe(60_000);
    expect(FULL.sorted).toBe(true);
    expect(FULL.last).toBeGreaterThan(4.3 * 365 * DAY_MS);
    expect(FULL.last).toBeLessThan(4.6 * 365.25 * DAY_MS);
  });

  it('stays within the simulator task budget (<= 3M tasks)', () => {
    expect(FULL.tasks).toBeLessThanOrEqual(3_000_000);
  });

  it('matches the class shares of the model', () => {
    for (const c of describeNgcModel().classes) {
      const got = (FULL.byClass.get(c.name)?.n ?? 0) / FULL.count;
      expect(Math.abs(got - c.share), c.name).toBeLessThan(0.01);
    }
    expect([...FULL.byClass.keys()].sort()).toEqual([...NGC_CLASSES].sort());
  });

  // Cited ranges (COSTS.md). Trio: three germline genomes plus joint genotyping.
  const ranges: Record<string, [number, number]> = {
    'wgs-single': [170, 360],
    'wgs-rapid': [170, 360],
    'wgs-trio': [3 * 170, 3 * 360 + 10],
    'wgs-tumour-normal': [700, 1500],
    exome: [15, 35],
    panel: [0.5, 3],
    reanalysis: [30, 75], // HaplotypeCaller 30-70 core-h plus a gather
    'research-deepvariant': [280, 360], // ~340 vCPU-h, with postprocess_variants on 2 cores
  };
  it('has mean core-hours per class within the cited ranges and the described model', () => {
    for (const c of describeNgcModel().classes) {
      const got = FULL.byClass.get(c.name);
      expect(got, c.name).toBeDefined();
      const mean = (got?.coreHours ?? 0) / (got?.n ?? 1);
      expect(Math.abs(mean / c.coreHours - 1), c.name).toBeLessThan(0.05);
      const range = ranges[c.name];
      if (range) {
        expect(mean, c.name).toBeGreaterThanOrEqual(range[0]);
        expect(mean, c.name).toBeLessThanOrEqual(range[1]);
      }
    }
  });

  it('keeps a single WGS within ~20-60 tasks', () => {
    const wgs = describeNgcModel().classes.find((c) => c.name === 'wgs-single');
    expect(wgs?.tasks).toBeGreaterThanOrEqual(20);
    expect(wgs?.tasks).toBeLessThanOrEqual(60);
  });
});

describe('arrivals', () => {
  const items = take({ analyses: 30_000, seed: 11, scenario: 'steady' });
  const clinical = items.filter((i) => i.job.purpose === 'treatment' && i.job.qos !== 'low');

  /** Mean arrivals per bucket over buckets [from, to) of a histogram by `bucketOf`. */
  const meanOver = (bucketOf: (t: Ms) => number, from: number, to: number): number => {
    let count = 0;
    for (const it of clinical) {
      const b = bucketOf(it.submitAt);
      if (b >= from && b < to) count++;
    }
    return count / (to - from);
  };

  it('follow the week: weekdays busier than weekends', () => {
    expect(meanOver(weekdayOf, 0, 5)).toBeGreaterThan(2.5 * meanOver(weekdayOf, 5, 7));
  });

  it('follow the lab day: working hours busier than nights', () => {
    expect(meanOver(hourOf, 8, 16)).toBeGreaterThan(3 * meanOver(hourOf, 0, 6));
  });

  it('ramp up over the first year', () => {
    const quarter = (from: number) =>
      clinical.filter((i) => i.submitAt >= from * DAY_MS && i.submitAt < (from + 91) * DAY_MS).length;
    expect(quarter(0)).toBeLessThan(0.5 * quarter(730));
    expect(quarter(365)).toBeGreaterThan(0.8 * quarter(730));
  });

  it('bring reanalyses and research in batches on weekday mornings', () => {
    const batched = items.filter((i) => i.job.qos === 'low' || i.job.purpose === 'research');
    expect(batched.length).toBeGreaterThan(0);
    for (const it of batched.slice(0, 200)) expect(weekdayOf(it.submitAt)).toBeLessThan(5);
    // Most batch members follow the previous one within a minute.
    let close = 0;
    for (let i = 1; i < batched.length; i++) {
      if ((batched[i]?.submitAt ?? 0) - (batched[i - 1]?.submitAt ?? 0) <= 60_000) close++;
    }
    expect(close / batched.length).toBeGreaterThan(0.9);
  });

  it('honour perDay as the mean arrivals per day, without a ramp', () => {
    const w = take({ analyses: 7000, seed: 5, scenario: 'steady', perDay: 100 });
    const days = (w[w.length - 1]?.submitAt ?? 0) / DAY_MS;
    expect(days).toBeGreaterThan(66);
    expect(days).toBeLessThanOrEqual(70);
    const first = w.filter((i) => i.submitAt < 14 * DAY_MS && i.job.qos !== 'low' && i.job.purpose === 'treatment');
    expect(first.length / 14).toBeGreaterThan(0.84 * 100 * 0.8);
  });

  it('keeps batches to their maximum size at high perDay rates', () => {
    const w = take({ analyses: 60_000, seed: 5, scenario: 'steady', perDay: 500 });
    const biggest = new Map<string, number>();
    const run = new Map<string, { last: number; size: number }>();
    for (const { submitAt, job } of w) {
      if (job.qos !== 'low' && job.purpose !== 'research') continue;
      const cls = job.class ?? '';
      const r = run.get(cls);
      // A batch submits one analysis every 30 s; a longer gap starts the next batch.
      const next = r && submitAt - r.last <= 60_000 ? { last: submitAt, size: r.size + 1 } : { last: submitAt, size: 1 };
      run.set(cls, next);
      biggest.set(cls, Math.max(biggest.get(cls) ?? 0, next.size));
    }
    expect(Object.fromEntries(biggest)).toEqual({ reanalysis: 300, 'research-cohort': 100, 'research-deepvariant': 200 });
  });

  it('puts everything at t = 0 in the burst scenario', () => {
    const w = take({ analyses: 3000, seed: 5, scenario: 'burst' });
    expect(w).toHaveLength(3000);
    expect(w.every((i) => i.submitAt === 0)).toBe(true);
    expect(new Set(w.map((i) => i.job.class)).size).toBe(NGC_CLASSES.length);
  });
});

describe('consent', () => {
  for (const scenario of ['steady', 'burst'] as const) {
    it(`every pseudonym has consent on record before use; research reads only granted (${scenario})`, () => {
      const status = new Map<string, ConsentStatus>();
      let research = 0;
      let changes = 0;
      const bad: string[] = [];
      const lastUse = new Map<string, Ms>();
      for (const it of ngcWorkload({ analyses: 40_000, seed: 9, scenario })) {
        for (const ev of it.consent ?? []) {
          if (status.has(ev.pseudonym)) {
            changes++;
            // A change never lands on a patient listed by a job in the last 30 days (work possibly in flight).
            const used = lastUse.get(ev.pseudonym) ?? -Infinity;
            if (it.submitAt - used < 30 * DAY_MS) bad.push(`${ev.pseudonym} changed ${it.submitAt - used} ms after use`);
          }
          status.set(ev.pseudonym, ev.status);
        }
        const job = it.job;
        for (const p of job.pseudonyms) lastUse.set(p, it.submitAt);
        if (job.pseudonyms.length === 0) bad.push(`${job.name}: no pseudonyms`);
        for (const p of job.pseudonyms) {
          const s = status.get(p);
          const ok = job.purpose === 'research' ? s === 'granted' : s === 'granted' || s === 'restricted';
          if (!ok) bad.push(`${job.name} (${job.purpose}) reads ${p} with consent ${s ?? 'none'}`);
        }
        if (job.purpose === 'research') research++;
      }
      expect(bad.slice(0, 10)).toEqual([]);
      expect(research).toBeGreaterThan(0);
      const values = [...status.values()];
      const restricted = values.filter((s) => s === 'restricted').length / values.length;
      expect(restricted).toBeGreaterThan(0.1);
      expect(restricted).toBeLessThan(0.2);
      if (scenario === 'steady') expect(changes).toBeGreaterThan(0);
      else expect(changes).toBe(0);
    });
  }

  it('uses opaque pseudonyms, never anything shaped like a CPR number', () => {
    const all = take({ analyses: 3000, seed: 4, scenario: 'steady' }).flatMap((i) => i.job.pseudonyms);
    expect(all.length).toBeGreaterThan(3000);
    expect(all.filter((p) => !/^P\d{6,}[A-Z]{2}$/.test(p) || CPR.test(p))).toEqual([]);
  });
});

describe('jobs', () => {
  const config = loadClusterConfig();
  const items = take({ analyses: 5000, seed: 13, scenario: 'steady' });

  it('use accounts, partitions and QoS of the default cluster config', () => {
    const accounts = new Set(config.accounts.map((a) => a.name));
    for (const a of ACCOUNTS_USED) expect(accounts.has(a), a).toBe(true);
    const partitions = new Set(config.partitions.map((p) => p.name));
    const qos = new Set(config.qos.map((q) => q.name));
    for (const { job } of items) {
      expect(accounts.has(job.account)).toBe(true);
      expect(partitions.has(job.partition)).toBe(true);
      expect(qos.has(job.qos)).toBe(true);
      expect(job.purpose === 'research').toBe(job.partition === 'research');
      if (job.purpose === 'research') expect(['low', 'normal']).toContain(job.qos);
      expect(job.qos === 'urgent').toBe(job.class === 'wgs-rapid');
    }
  });

  it('are valid DAGs that fit a standard node, even on a retry with doubled memory', () => {
    const maxPartitionMs = Math.min(...config.partitions.map((p) => p.maxTimeMs));
    // Collect violations and assert once: an expect() per task would dominate the test's run time.
    const bad: string[] = [];
    for (const { job } of items) {
      if (job.tasks.length === 0) bad.push(`${job.name}: no tasks`);
      const needed = new Set<number>();
      job.tasks.forEach((t, i) => {
        const where = `${job.name} task ${i}`;
        for (const a of t.after ?? []) {
          if (!(Number.isInteger(a) && a >= 0 && a < i)) bad.push(`${where}: after ${a}`);
          needed.add(a);
        }
        if (!(t.cores >= 1 && t.cores <= 64)) bad.push(`${where}: cores ${t.cores}`);
        if (t.memMb * 2 > 256 * 1024) bad.push(`${where}: memMb ${t.memMb}`);
        if (!KERNELS.has(t.kernel ?? '')) bad.push(`${where}: kernel ${t.kernel}`);
        if (t.retries !== 1) bad.push(`${where}: retries ${t.retries}`);
        const d = t.durationMs ?? 0;
        const limit = t.timeLimitMs ?? 0;
        if (!(Number.isInteger(d) && d > 0 && d < limit)) bad.push(`${where}: duration ${d} limit ${limit}`);
        if (limit > maxPartitionMs) bad.push(`${where}: limit ${limit}`);
      });
      // One final task; every other task feeds something.
      if (job.tasks.length - needed.size !== 1) bad.push(`${job.name}: ${job.tasks.length - needed.size} sinks`);
    }
    expect(bad.slice(0, 10)).toEqual([]);
  });

  it('shape trios as three sample branches and cancer pairs as two', () => {
    const roots = (job: JobSpec) => job.tasks.filter((t) => (t.after ?? []).length === 0).length;
    const trio = items.find((i) => i.job.class === 'wgs-trio')?.job;
    const pair = items.find((i) => i.job.class === 'wgs-tumour-normal')?.job;
    expect(trio && roots(trio)).toBe(3);
    expect(trio?.pseudonyms).toHaveLength(3);
    expect(pair && roots(pair)).toBe(2);
    expect(pair?.pseudonyms).toHaveLength(1);
  });

  it('let rapid WGS finish within its target when started at once', () => {
    const rapid = items.filter((i) => i.job.class === 'wgs-rapid');
    expect(rapid.length).toBeGreaterThan(20);
    for (const { job } of rapid) expect(criticalPath(job.tasks)).toBeLessThan(URGENT_TARGET_MS);
  });
});
