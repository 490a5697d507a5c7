// The agent's kernel pool: the genome kernels' piscina pool (created on first use) or noop inline.
//  - `real` (default): tasks whose kernel is a genome kernel (simulate, qc, align, call) run it
//    through the kernels package (`runKernelTask`, synthetic data seeded by the task id, scaled
//    by --kernel-scale); other tasks run the tiny `noop` kernel inline.
//  - `noop` (benchmarks): every task runs `noop`, on the agent's thread, the requests of one
//    turn as one chunk (see noopPool).
import { availableParallelism } from 'node:os';
import { createKernelPool as createGenomePool, runKernelTask, type KernelPool as GenomePool, type SyntheticKind } from './kernels/index.js';
import type { KernelRequest, KernelResult } from './kernel-types.js';
import { runNoop, runNoopChunk } from './noop-kernel.js';

export interface KernelPool {
  run(req: KernelRequest): Promise<KernelResult>;
  /**
   * Set where every request runs at once on the caller's thread (`noop` mode): runs a chunk of
   * them now, one result (or error) per request, with no promise or callback per task.
   */
  runNow?(reqs: readonly KernelRequest[]): (KernelResult | Error)[];
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

export function createKernelPool(opts: KernelPoolOptions): KernelPool {
  const threads = Math.max(1, opts.threads ?? Math.min(2, availableParallelism()));
  return opts.mode === 'noop' ? noopPool() : realPool(threads, opts.scale ?? 0.05);
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

/**
 * `noop` runs on the agent's own thread, as `real` mode runs it for non-genome tasks: the
 * kernel is a 512-byte checksum (about a microsecond), while a round trip through a worker
 * thread (structured clone both ways, piscina's bookkeeping) cost the agent several times that:
 * in 3 alternated pairs of a 6,000-analysis bench:ngc live burst (f713a5d), moving noop onto
 * the agent's thread took the agents' CPU per task from 120 to 93 µs (medians). The requests of one turn (an assignment message's tasks) run as one chunk after it,
 * which reads the thread's CPU clock once for all of them (the clock is a /proc read).
 */
function noopPool(): KernelPool {
  let waiting: Waiting[] = [];
  const drain = (): void => {
    const batch = waiting;
    waiting = [];
    const out = runNoopChunk(batch.map((w) => w.req));
    batch.forEach((w, i) => {
      const o = out[i];
      if (o === undefined) w.reject(new Error('the noop kernel returned no result'));
      else if (o instanceof Error) w.reject(o);
      else w.resolve(o);
    });
  };
  return {
    run: (req) =>
      new Promise<KernelResult>((resolve, reject) => {
        if (waiting.length === 0) setImmediate(drain);
        waiting.push({ req, resolve, reject });
      }),
    runNow: (reqs) => runNoopChunk(reqs),
    close: async () => undefined,
  };
}
