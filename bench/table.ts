// bench:table — the README's results tables, one per benchmark, printed from
// bench/results/*.json (so every figure there is one a bench script wrote), each under the
// command that reproduces it. Missing result files are listed, not guessed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/index.js';

type Json = Record<string, unknown>;
const dir = join(packageRoot(), 'bench', 'results');
const missing: string[] = [];

function load(name: string): Json | null {
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) {
    missing.push(`${name}.json`);
    return null;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

function get(o: unknown, path: string): number | null {
  let cur: unknown = o;
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return null;
    cur = (cur as Json)[k];
  }
  return typeof cur === 'number' ? cur : null;
}

function fmt(n: number | null, digits = 0): string {
  if (n === null) return 'n/a';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

let rows: string[][] = [];
const row = (what: string, gsched: string, anchor: string, target: string, met: boolean | null): void => {
  rows.push([what, gsched, anchor, target, met === null ? '' : met ? 'yes' : 'no']);
};
const out: string[] = [];

/** Prints the rows gathered since the last section under its heading and command, with when and at what load it ran. */
function section(title: string, command: string, data: Json | null, header = ['measure', 'gsched', 'anchor (same machine)', 'target', 'met']): void {
  if (data === null || rows.length === 0) {
    rows = [];
    return;
  }
  const when = (typeof data.measured_at === 'string' ? data.measured_at : typeof data.date === 'string' ? data.date : null)?.slice(0, 16).replace('T', ' ');
  const load = get(data, 'load_1m') ?? get(data, 'host_load_1m');
  const notes = [when ? `run ${when} UTC` : null, load !== null ? `load average ${fmt(load, 1)} at the start` : null].filter((x) => x !== null);
  out.push(`#### ${title}`, '', `\`${command}\`${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`, '');
  out.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
  for (const r of rows) out.push(`| ${r.join(' | ')} |`);
  out.push('');
  rows = [];
}

const core = load('core');
if (core) {
  const pps = get(core, 'placements_per_sec');
  const p99 = get(core, 'pass_ms_p99');
  row('core: placements/s (100k pending, default cluster)', fmt(pps), 'Slurm: ~500 jobs/s (its docs, not run here)', '≥ 200,000', pps !== null && pps >= 200_000);
  row('core: full pass with backfill, p99 ms (100k pending)', fmt(p99, 1), '', '≤ 50', p99 !== null && p99 <= 50);
  // The scaling rows (issue #9): a million pending, a ten-times cluster, one node of 100,000 cores.
  const scaling = (core.scaling as Json[] | undefined) ?? [];
  const million = scaling.find((r) => r.cluster === 'default' && r.pending === 1_000_000);
  const ten = scaling.find((r) => r.cluster === 'ten-times');
  if (million) {
    const sps = get(million, 'submit_per_sec');
    const mp99 = get(million, 'pass_ms_p99');
    const bytes = get(million, 'bytes_per_pending');
    row('core: submissions/s at 1,000,000 pending', fmt(sps), '', '≥ 100,000', sps !== null && sps >= 100_000);
    row('core: full pass p99 ms at 1,000,000 pending', fmt(mp99, 1), '', '≤ 50', mp99 !== null && mp99 <= 50);
    row('core: retained bytes per pending job (1,000,000)', fmt(bytes), '', '≤ 2,048', bytes !== null && bytes <= 2048);
  }
  if (ten) {
    const tps = get(ten, 'placements_per_sec');
    row('core: placements/s on a 10× cluster (172,800 cores)', fmt(tps), '', '≥ 100,000', tps !== null && tps >= 100_000);
  }
  const flat = get(core, 'flat_vs_default_placements');
  if (flat !== null) row("core: one 100,000-core node, placements/s vs the default cluster's", `${fmt(flat, 2)}×`, '', '1×', flat >= 0.95);
}
section('Core', 'npm run bench:core', core);

const sim = load('sim');
if (sim) {
  const results = (sim.results as Json[] | undefined) ?? [];
  const by = (s: string): Json | undefined => results.find((r) => r.scenario === s);
  const easy = by('kth-easy');
  const fcfs = by('kth-fcfs');
  const ngc = by('ngc-steady-60k');
  if (easy) row('sim: KTH-SP2 EASY replay, wall s (median)', fmt(get(easy, 'wall_s_median'), 2), 'pyss: ~172 s (trace README, not run here)', '≤ 1', get(easy, 'wall_s_median') !== null && (get(easy, 'wall_s_median') as number) <= 1);
  if (easy) row('sim: KTH-SP2 EASY avg bounded slowdown', fmt(get(easy, 'avg_bsld'), 4), 'pyss 92.5765', 'within 1%', Math.abs((get(easy, 'avg_bsld') ?? 0) / 92.5765 - 1) <= 0.01);
  if (fcfs) row('sim: KTH-SP2 FCFS avg bounded slowdown', fmt(get(fcfs, 'avg_bsld'), 2), 'pyss 6,814.97', 'within 1%', Math.abs((get(fcfs, 'avg_bsld') ?? 0) / 6814.97 - 1) <= 0.01);
  if (ngc) {
    const wall = get(ngc, 'wall_s_median');
    const rss = get(ngc, 'peak_rss_mib_median');
    row('sim: 60,000 analyses over 4.5 years, wall s (median)', fmt(wall, 1), '', '≤ 5', wall !== null && wall <= 5);
    row('sim: 60,000 analyses, peak RSS MiB', fmt(rss), '', '≤ 1,024', rss !== null && rss <= 1024);
  }
  const burst = by('ngc-burst-60k');
  if (burst) {
    const wall = get(burst, 'wall_s_median');
    const rss = get(burst, 'peak_rss_mib_median');
    row('sim: 60,000 analyses at once (burst), wall s (median)', fmt(wall, 1), '', '≤ 30', wall !== null && wall <= 30);
    row('sim: burst, peak RSS MiB', fmt(rss), '', '≤ 1,024', rss !== null && rss <= 1024);
  }
}
section('Simulator', 'npm run bench:sim', sim);

const kernels = load('kernels');
if (kernels) {
  const r = get(kernels, 'reads_per_cpu_s');
  const m = get(kernels, 'minimap2_reads_per_cpu_s');
  row('kernels: reads per CPU-second (1 thread)', fmt(r), `minimap2 ${fmt(m)}`, '≥ 25% of minimap2', r !== null && m !== null && r >= 0.25 * m);
  const c = get(kernels, 'correct_frac');
  const mc = get(kernels, 'minimap2_correct_frac');
  row('kernels: reads within ±5 bp of truth', fmt(c === null ? null : c * 100, 2) + '%', `minimap2 ${fmt(mc === null ? null : mc * 100, 2)}%`, 'within 0.2 points', c !== null && mc !== null && mc - c <= 0.002);
  const s = get(kernels, 'snp_f1');
  const bs = get(kernels, 'bcftools_snp_f1');
  row('kernels: SNP F1', fmt(s, 4), `bcftools ${fmt(bs, 4)}`, 'within 0.005', s !== null && bs !== null && bs - s <= 0.005);
  const i = get(kernels, 'indel_f1');
  const bi = get(kernels, 'bcftools_indel_f1');
  row('kernels: indel F1', fmt(i, 4), `bcftools ${fmt(bi, 4)}`, 'within 0.005', i !== null && bi !== null && bi - i <= 0.005);
}
section('Kernels', 'npm run bench:kernels', kernels);

const live = load('live');
const slurm = load('slurm');
if (live) {
  const t = get(live, 'tasks_per_sec');
  const p99 = get(live, 'p99_ms');
  const anchor = slurm ? `Slurm ${fmt(get(slurm, 'sbatch.jobs_per_sec'), 1)} jobs/s (sbatch), ${fmt(get(slurm, 'array.jobs_per_sec'), 1)} (array)` : '';
  row('live: 50,000 one-core tasks over gRPC, tasks/s', fmt(t), anchor, '≥ 5,000', t !== null && t >= 5000);
  const warmup = get(live, 'config.warmup');
  const after = warmup ? ` (after a ${fmt(warmup)}-task warm-up)` : '';
  row(`live: dispatch latency p50 / p99 ms${after}`, `${fmt(get(live, 'p50_ms'), 1)} / ${fmt(p99, 1)}`, '', 'p99 ≤ 20', p99 !== null && p99 <= 20);
  const cold = get(live, 'cold_p99_ms');
  if (cold !== null) row('live: dispatch latency p99 ms, warm-up counted too', fmt(cold, 1), '', 'p99 ≤ 20', cold <= 20);
  const single = get(live, 'single_jobs_per_sec');
  const clients = get(live, 'single_runs.0.clients');
  if (single !== null) row(`live: one job per POST, ${fmt(clients)} clients, jobs/s end to end`, fmt(single), 'Flux ~900/s, Nomad C1M 3,750/s (published)', '≥ 5,000', single >= 5000);
  const floor = get(live, 'single_http_floor_req_per_sec');
  if (floor !== null) row(`live: the same clients against a bare node:http server (parse, answer 201), req/s; CPU ms per request`, `${fmt(floor)}; ${fmt(get(live, 'single_http_floor_server_cpu_ms_per_req'), 3)}`, "this host's ceiling for any Node HTTP server", '', null);
  const cpu = (k: string): string => fmt(get(live, `single_cpu_ms_per_job.${k}`), 3);
  const total = get(live, 'single_cpu_ms_per_job.total');
  if (total !== null) row('live: one job per POST, CPU ms per job: scheduler / agents / gsched up / clients = total', `${cpu('scheduler')} / ${cpu('agents')} / ${cpu('up')} / ${cpu('client')} = ${cpu('total')}`, '', '< 0.4 in all (2 cores)', total < 0.4);
  const main = get(live, 'single_cpu_ms_per_job.scheduler_main_thread');
  if (main !== null) row("live: one job per POST, the scheduler's main thread, CPU ms per job", fmt(main, 3), '', '< 0.2 (one thread, 5,000/s)', main < 0.2);
  const arr = get(live, 'array_1000_dispatch_ms_p99');
  if (arr !== null) row('live: arrays of 1,000, dispatch latency p50 / p99 ms', `${fmt(get(live, 'array_1000_dispatch_ms_p50'), 1)} / ${fmt(arr, 1)}`, '', 'p99 ≤ 50', arr <= 50);
}
section('Live cluster', 'npm run bench:live (Slurm: npm run bench:slurm)', live);

const metrics = load('metrics');
if (metrics) {
  const scrape = get(metrics, 'scrape_p99_ms');
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${fmt(x * 100, 1)}%`);
  const withCi = (k: string): string => `${pct(get(metrics, k))} [${pct(get(metrics, `${k}_ci95.0`))}, ${pct(get(metrics, `${k}_ci95.1`))}]`;
  row(`metrics: GET /metrics every second under bench:live load, scrape p99 ms (all ${fmt(get(metrics, 'scrapes'))} scrapes)`, fmt(scrape, 1), '', '≤ 50', scrape !== null && scrape <= 50);
  const verdictCell = (v: unknown): boolean | null => (v === 'met' ? true : v === 'missed' ? false : null); // blank: unresolved
  // The target's pass test: on the same passes (the matched replay) when the run had one.
  const replay = get(metrics, 'replay_pass_cpu_p99_worse');
  if (replay !== null) {
    row(`metrics: scheduling-pass p99 in CPU time, scraped vs quiet, on the same passes (a recorded bench:live run replayed; 95% interval over ${fmt(get(metrics, 'replay_pairs'))} pairs of replays)`, withCi('replay_pass_cpu_p99_worse'), '', '≤ +5% (whole interval)', verdictCell(metrics.pass_verdict));
    row('metrics: the same, pass p50', withCi('replay_pass_cpu_p50_worse'), '', '', null);
  }
  const cpu = get(metrics, 'pass_cpu_p99_worse');
  if (cpu !== null) {
    const pairs = get(metrics, 'pairs');
    // Without a replay the live rounds decide; beside one they are shown without a verdict.
    row(`metrics: scheduling-pass p99 in CPU time, scraped vs quiet, in live rounds (their passes differ; 95% interval over ${fmt(pairs)} pairs of rounds)`, withCi('pass_cpu_p99_worse'), '', replay === null ? '≤ +5% (whole interval)' : '', replay === null ? verdictCell(metrics.pass_verdict) : null);
    row('metrics: the same in wall time (waits for a core included)', withCi('pass_p99_worse'), '', '', null);
  }
  // Older results name these without the suffix (they were always the median of the runs).
  const loopWith = get(metrics, 'loop_delay_p99_ms_with_scraping_median_of_runs') ?? get(metrics, 'loop_delay_p99_ms_with_scraping');
  const loopWithout = get(metrics, 'loop_delay_p99_ms_without_scraping_median_of_runs') ?? get(metrics, 'loop_delay_p99_ms_without_scraping');
  if (loopWith !== null) row("metrics: scheduler's event-loop delay p99 ms, scraped / quiet (median of runs)", `${fmt(loopWith, 1)} / ${fmt(loopWithout, 1)}`, '', '', null);
  const stalls = get(metrics, 'stalls_over_50ms');
  if (stalls !== null) row("metrics: scheduler's event-loop stalls over 50 ms (all rounds; of them the thread mostly waiting for a core), longest ms", `${fmt(stalls)} (${fmt(get(metrics, 'stalls_over_50ms_waiting'))}), ${fmt(get(metrics, 'max_stall_ms'), 1)}`, '', '', null);
}
section('Metrics', 'npm run bench:metrics', metrics);

const store = load('store');
if (store) {
  const d = get(store, 'durable_submits_per_sec');
  row(`store: durable submits/s (${fmt(get(store, 'in_flight'))} in flight, median)`, fmt(d), '', '≥ 20,000', d !== null && d >= 20_000);
  const r = get(store, 'recovery_s_1m');
  row(`store: ready to schedule after opening ${fmt(get(store, 'job_records'))} job records, s (median)`, fmt(r, 2), '', '≤ 3', r !== null && r <= 3);
}
section('Store', 'npm run bench:store', store);

const ngc = load('ngc');
if (ngc) {
  const days = (s: number | null): string => (s === null ? 'n/a' : `${fmt(s / 86_400, 2)} d`);
  const hours = (s: number | null): string => (s === null ? 'n/a' : `${fmt(s / 3600, 2)} h`);
  const runs: [string, string][] = [
    ['sim_steady', 'sim, steady 4.5 years (a)'],
    ['sim_steady_powersave', 'sim, steady, power saving (a)'],
    ['sim_full', 'sim, burst at t = 0 (a)'],
    ['live_full', 'live, burst as sequencing runs (b)'],
    ['sim_full_twin', 'sim, burst at the live intake times'],
    ['sim_full_observed', 'sim, burst at the live intake, each task lasting its live run time'],
    ['sim_full_observed_cadence', 'sim, the same, passing no more often than the live scheduler'],
    ['live', 'live, sample (c)'],
    ['sim_sample', 'sim, sample at the live intake times (d)'],
    ['sim_sample_observed', 'sim, sample with each task lasting its live run time'],
  ];
  for (const [key, label] of runs) {
    const r = ngc[key] as Json | undefined;
    if (!r) continue;
    const u = get(r, 'utilization');
    rows.push([label, fmt(get(r, 'analyses')), days(get(r, 'makespan_s')), hours(get(r, 'mean_turnaround_s')), u === null ? 'n/a' : `${fmt(u * 100, 1)}%`, fmt(get(r, 'energy_kwh')), fmt(get(r, 'heat_recovered_kwh')), fmt(get(r, 'wall_s'), 1)]);
  }
  const total = get(ngc, 'total_wall_s');
  if (total !== null) rows.push(['the whole bench (target ≤ 1,200 s)', '', '', '', '', '', '', fmt(total, 1)]);
}
section('NGC: the 60,000 analyses live and in the simulator', 'npm run bench:ngc', ngc, ['run', 'analyses', 'makespan', 'mean turnaround', 'utilization', 'energy kWh', 'heat recovered kWh', 'wall s']);

if (ngc) {
  const num = (x: unknown): string => (typeof x !== 'number' ? 'n/a' : x > 0 && x < 1 ? `${fmt(x * 100, 1)}%` : fmt(x));
  for (const c of (ngc.twin_check as Json[] | undefined) ?? []) rows.push([String(c.what), num(c.live), num(c.sim), String(c.diff), String(c.bound), c.ok === true ? 'yes' : 'no']);
  // Not bounds: the simulator given what the live run did, to show where the difference comes from.
  for (const c of (ngc.twin_explained as Json[] | undefined) ?? []) rows.push([`${String(c.what)} (explains the difference)`, num(c.live), num(c.sim), String(c.diff), '-', '-']);
  const steady = ngc.sim_steady as Json | undefined;
  const saving = ngc.sim_steady_powersave as Json | undefined;
  if (steady && saving) {
    const e0 = get(steady, 'energy_kwh');
    const e1 = get(saving, 'energy_kwh');
    if (e0 !== null && e1 !== null && e0 > 0) rows.push(['steady energy, power saving vs none (kWh)', fmt(e1), fmt(e0), `${fmt((e1 / e0 - 1) * 100, 1)}%`, '≤ -60%', e1 / e0 <= 0.4 ? 'yes' : 'no']);
  }
}
section('NGC twin check: live against simulated', 'npm run bench:ngc', ngc, ['measure', 'live', 'sim', 'difference', 'bound', 'met']);

console.log(out.join('\n').trimEnd());
if (missing.length > 0) console.log(`\n(no results yet: ${missing.join(', ')})`);
