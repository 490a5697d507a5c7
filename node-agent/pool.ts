// The agent's kernel pool: one piscina pool per agent (the genome pool created on first use).
//  - `real` (default): tasks whose kernel is a genome kernel (simulate, qc, align, call) run it
//    through the kernels package (`runKernelTask`, synthetic data seeded by the task id, scaled
//    by --kernel-scale); other tasks run the tiny `noop` kernel inline.
//  - `noop` (benchmarks): every task runs `noop` in worker threads; requests go to the workers
//    in chunks (those of one tick, or of a stream within CHUNK_GAP_MS), because a pool round
//    trip costs more than the kernel; its pool starts with the agent.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { compiledPath } from '../common/index.js';
import { createKernelPool as createGenomePool, runKernelTask, type KernelPool as GenomePool, type SyntheticKind } from './kernels/index.js';
import type { KernelOutcome, KernelRequest, KernelResult } from './kernel-types.js';
import { runNoop } from './noop-kernel.js';

export interface KernelPool {
  run(req: KernelRequest): Promise<KernelResult>;
  close(): Promise<void>;
}

export type KernelMode = 'real' | 'noop';

export interface KernelPoolOptions {
  mode: KernelMode;
  /** Worker threads of the pool. */
  threads?: number;
  /** Genome kernels' data scale: 1 = a 100 kbp genome at 30x (seconds of CPU per task). */
  scale?: number;
}

const GENOME_KERNELS: ReadonlySet<string> = new Set<SyntheticKind>(['simulate', 'qc', 'align', 'call']);

/** Largest number of noop kernels one piscina task runs in sequence. */
const MAX_CHUNK = 128;
/** Least wall ms between two chunks sent to the noop workers (the agent's completions gap too). */
const CHUNK_GAP_MS = 4;

export function createKernelPool(opts: KernelPoolOptions): KernelPool {
  const threads = Math.max(1, opts.threads ?? Math.min(2, availableParallelism()));
  return opts.mode === 'noop' ? noopPool(threads) : realPool(threads, opts.scale ?? 0.05);
}

function realPool(threads: number, scale: number): KernelPool {
  let pool: GenomePool | null = null;
  return {
    async run(req) {
      if (!GENOME_KERNELS.has(req.kernel)) return runNoop(req);
      pool ??= createGenomePool({ threads });
      const t0 = performance.now();
      const s = await runKernelTask(pool, { kind: req.kernel as SyntheticKind, seed: req.taskId, scale });
      // Queue and run in the pool, wall ms: set against the task's hold, it says whether the kernel kept its modelled time.
      const kernelWallMs = Math.round(performance.now() - t0);
      return { kernel: req.kernel, cpuMs: Math.round(s.cpuMs + s.simCpuMs), summary: { ...s, kernelWallMs } };
    },
    close: async () => {
      await pool?.destroy();
    },
  };
}

interface Waiting {
  req: KernelRequest;
  resolve(r: KernelResult): void;
  reject(e: Error): void;
}

function noopPool(threads: number): KernelPool {
  // Started with the agent, and its worker module loaded by an empty chunk, so that thread
  // start-up does not compete with the first assignments for the CPU.
  // atomics 'disabled': workers wait for a chunk on their message port instead of in
  // Atomics.wait, so posting one needs no futex wake-up from the agent's thread (about 15% less
  // agent CPU per task in bench:live's one-job-per-POST runs, two pairs of runs).
  const pool = new Piscina<KernelRequest[], KernelOutcome[]>({ filename: compiledPath('node-agent/worker.ts'), minThreads: 1, maxThreads: threads, idleTimeout: 30_000, atomics: 'disabled' });
  pool.run([]).catch(() => undefined); // a worker that cannot load fails every later chunk too
  let waiting: Waiting[] = [];
  let scheduled = false;
  // At most one dispatch per CHUNK_GAP_MS, and at most one chunk per thread in the workers:
  // a lone request goes at once, a stream of them (one job per POST dispatches its tasks one
  // by one) waits for the gap or a free thread and goes in one chunk, as completions do. A
  // round trip to a worker cost the agent more than the kernel: about a third of its CPU per
  // task when each went alone.
  let busy = 0;
  let lastDispatchAt = -Infinity;
  const schedule = (): void => {
    if (scheduled || waiting.length === 0 || busy >= threads) return;
    scheduled = true;
    const wait = lastDispatchAt + CHUNK_GAP_MS - performance.now();
    if (wait <= 0) setImmediate(dispatch);
    else setTimeout(dispatch, wait);
  };
  const dispatch = (): void => {
    scheduled = false;
    lastDispatchAt = performance.now();
    const batch = waiting;
    waiting = [];
    const chunk = Math.min(MAX_CHUNK, Math.ceil(batch.length / Math.max(1, threads - busy)));
    for (let i = 0; i < batch.length; i += chunk) {
      const part = batch.slice(i, i + chunk);
      busy++;
      pool.run(part.map((w) => w.req)).then(
        (outcomes) => {
          busy--;
          schedule();
          part.forEach((w, j) => {
            const o = outcomes[j];
            if (o?.ok) w.resolve(o.result);
            else w.reject(new Error(o?.error ?? 'the kernel worker returned no result'));
          });
        },
        (err: Error) => {
          busy--;
          schedule();
          part.forEach((w) => w.reject(err));
        },
      );
    }
  };
  return {
    run: (req) =>
      new Promise<KernelResult>((resolve, reject) => {
        waiting.push({ req, resolve, reject });
        schedule();
      }),
    close: async () => {
      await pool.destroy();
    },
  };
}
