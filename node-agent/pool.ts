// The agent's kernel thread pool (piscina). Kernels run off the event loop so heartbeats
// and acknowledgements stay prompt while tasks compute.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { compiledPath } from '../scheduler/config/dist-path.js';
import type { KernelRequest, KernelResult } from './kernel-types.js';

export interface KernelPool {
  run(req: KernelRequest, signal: AbortSignal): Promise<KernelResult>;
  close(): Promise<void>;
}

export function createKernelPool(threads = Math.min(2, availableParallelism())): KernelPool {
  const pool = new Piscina<KernelRequest, KernelResult>({
    filename: compiledPath('node-agent/worker.ts'),
    minThreads: 1,
    maxThreads: Math.max(1, threads),
    idleTimeout: 30_000,
  });
  return {
    run: (req, signal) => pool.run(req, { signal }),
    close: () => pool.destroy(),
  };
}
