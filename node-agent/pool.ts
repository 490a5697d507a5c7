// The agent's kernel pool: one piscina pool per agent (the genome pool created on first use).
//  - `real` (default): tasks whose kernel is a genome kernel (simulate, qc, align, call) run it
//    through the kernels package (`runKernelTask`, synthetic data seeded by the task id, scaled
//    by --kernel-scale); other tasks run the tiny `noop` kernel inline.
//  - `noop` (benchmarks): every task runs `noop` in worker threads; requests made in the same
//    tick go to the workers in chunks, because a pool round trip costs more than the kernel;
//    its pool starts with the agent.
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
  const pool = new Piscina<KernelRequest[], KernelOutcome[]>({ filename: compiledPath('node-agent/worker.ts'), minThreads: 1, maxThreads: threads, idleTimeout: 30_000 });
  pool.run([]).catch(() => undefined); // a worker that cannot load fails every later chunk too
  let waiting: Waiting[] = [];
  const dispatch = (): void => {
    const batch = waiting;
    waiting = [];
    const chunk = Math.min(MAX_CHUNK, Math.ceil(batch.length / threads));
    for (let i = 0; i < batch.length; i += chunk) {
      const part = batch.slice(i, i + chunk);
      pool.run(part.map((w) => w.req)).then(
        (outcomes) =>
          part.forEach((w, j) => {
            const o = outcomes[j];
            if (o?.ok) w.resolve(o.result);
            else w.reject(new Error(o?.error ?? 'the kernel worker returned no result'));
          }),
        (err: Error) => part.forEach((w) => w.reject(err)),
      );
    }
  };
  return {
    run: (req) =>
      new Promise<KernelResult>((resolve, reject) => {
        if (waiting.length === 0) setImmediate(dispatch);
        waiting.push({ req, resolve, reject });
      }),
    close: async () => {
      await pool.destroy();
    },
  };
}
