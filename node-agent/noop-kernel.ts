// The `noop` kernel: a small, real piece of CPU work (a checksum over a few KiB derived from
// the task id). Tasks that name no genome kernel (merge, gather, none) run it, and so does
// every task under `--kernels noop`: it proves the task was run without pretending to analyse.
import { threadCpuMs } from './kernels/index.js';
import type { KernelRequest, KernelResult } from './kernel-types.js';

const BYTES = 4096;

function checksum(req: KernelRequest): Record<string, unknown> {
  let h = 0x811c9dc5 ^ req.taskId;
  for (let i = 0; i < BYTES; i++) {
    h ^= (i * 31 + req.attempt) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return { bytes: BYTES, checksum: h.toString(16).padStart(8, '0') };
}

/** Runs `noop` for a request; says which kernel the task asked for when it was another. */
export function runNoop(req: KernelRequest): KernelResult {
  const t0 = threadCpuMs();
  const summary = checksum(req);
  if (req.kernel !== '' && req.kernel !== 'noop') summary.requested = req.kernel;
  return { kernel: 'noop', cpuMs: Math.max(0, Math.round(threadCpuMs() - t0)), summary };
}
