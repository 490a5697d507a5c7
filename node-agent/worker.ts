// Piscina worker of the noop pool (`--kernels noop`): runs a chunk of requests in order.
// One failing kernel fails only its own task.
import type { KernelOutcome, KernelRequest } from './kernel-types.js';
import { runNoopChunk } from './noop-kernel.js';

export default function runKernels(reqs: KernelRequest[]): KernelOutcome[] {
  return runNoopChunk(reqs).map((r): KernelOutcome => (r instanceof Error ? { ok: false, error: r.message } : { ok: true, result: r }));
}
