// The agent's kernel thread pool (piscina). Kernels run off the event loop so heartbeats
// and acknowledgements stay prompt while tasks compute. Requests made in the same tick go to
// the workers in chunks (one piscina task per chunk, spread over the threads): a pool round
// trip costs far more than a small kernel, and a pass often assigns thousands of tasks at once.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { compiledPath } from '../scheduler/config/dist-path.js';
import type { KernelOutcome, KernelRequest, KernelResult } from './kernel-types.js';

export interface KernelPool {
  run(req: KernelRequest): Promise<KernelResult>;
  close(): Promise<void>;
}

/** Largest number of kernels one piscina task runs in sequence. */
const MAX_CHUNK = 128;

interface Waiting {
  req: KernelRequest;
  resolve(r: KernelResult): void;
  reject(e: Error): void;
}

export function createKernelPool(threads = Math.min(2, availableParallelism())): KernelPool {
  const size = Math.max(1, threads);
  const pool = new Piscina<KernelRequest[], KernelOutcome[]>({
    filename: compiledPath('node-agent/worker.ts'),
    minThreads: 1,
    maxThreads: size,
    idleTimeout: 30_000,
  });
  let waiting: Waiting[] = [];
  const dispatch = (): void => {
    const batch = waiting;
    waiting = [];
    const chunk = Math.min(MAX_CHUNK, Math.ceil(batch.length / size));
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
    close: () => pool.destroy(),
  };
}
