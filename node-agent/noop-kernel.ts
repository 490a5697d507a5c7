// The `noop` kernel: a small, real piece of CPU work (a checksum over a few KiB derived
// from the task id) standing in until the genome kernels are plugged in. It proves the
// task went through a worker thread without pretending to analyse anything.
import type { KernelRequest } from './kernel-types.js';

const BYTES = 4096;

export function noopKernel(req: KernelRequest): Record<string, unknown> {
  let h = 0x811c9dc5 ^ req.taskId;
  for (let i = 0; i < BYTES; i++) {
    h ^= (i * 31 + req.attempt) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return { bytes: BYTES, checksum: h.toString(16).padStart(8, '0') };
}
