// bench:table — the README's results table, printed from bench/results/*.json (so every
// figure there is one a bench script wrote). Missing result files are listed, not guessed.
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

const rows: string[][] = [];
const row = (what: string, gsched: string, anchor: string, target: string, met: boolean | null): void => {
  rows.push([what, gsched, anchor, target, met === null ? '' : met ? 'yes' : 'no']);
};

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
    row('sim: 60,000 analyses over 4.5 years, wall s (median)', fmt(wall, 1), '', '≤ 10', wall !== null && wall <= 10);
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
}

console.log('| measure | gsched | anchor (same machine) | target | met |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
if (missing.length > 0) console.log(`\n(no results yet: ${missing.join(', ')})`);
