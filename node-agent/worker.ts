// Piscina worker of the noop pool (`--kernels noop`): runs a chunk of requests in order.
// One failing kernel fails only its own task.
import type { KernelOutcome, KernelRequest } from './kernel-types.js';
import { runNoop } from './noop-kernel.js';

export default function runKernels(reqs: KernelRequest[]): KernelOutcome[] {
  return reqs.map((req) => {
    try {
      return { ok: true, result: runNoop(req) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  });
}
