// The `noop` kernel: a small, real piece of CPU work (a checksum over 512 bytes derived from
// the task id). Tasks that name no genome kernel (merge, gather, none) run it, and so does
// every task under `--kernels noop`: it proves the task was run without pretending to analyse.
import type { KernelRequest, KernelResult } from './kernel-types.js';

// Small: the benchmark measures the dispatch path, and thousands of these run per second.
const BYTES = 512;

function checksum(req: KernelRequest): Record<string, unknown> {
  let h = 0x811c9dc5 ^ req.taskId;
  for (let i = 0; i < BYTES; i++) {
    h ^= (i * 31 + req.attempt) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return { bytes: BYTES, checksum: h.toString(16).padStart(8, '0') };
}

// The noop kernel's CPU time is its wall time on the agent's thread: it is synchronous
// computation, so the two agree unless the OS preempts the thread. The thread's CPU clock
// (/proc/thread-self/stat) counts 10 ms ticks, coarser than a whole chunk of noop tasks: it read
// 0, or now and then a whole tick, and reading it (a file open and read) cost more than the
// kernel, ~9% of a benchmark agent's CPU read once per chunk.

/** Runs `noop` for a request; says which kernel the task asked for when it was another. */
export function runNoop(req: KernelRequest): KernelResult {
  const t0 = performance.now();
  const result = noopResult(req);
  result.cpuMs = Math.max(0, Math.round(performance.now() - t0));
  return result;
}

/** Runs `noop` for each request of a chunk, measuring the chunk's time once and sharing it out evenly. */
export function runNoopChunk(reqs: readonly KernelRequest[], run: (req: KernelRequest) => KernelResult = noopResult): (KernelResult | Error)[] {
  const t0 = performance.now();
  const out = reqs.map((req): KernelResult | Error => {
    try {
      return run(req);
    } catch (err) {
      return err as Error;
    }
  });
  const share = Math.max(0, Math.round((performance.now() - t0) / Math.max(1, reqs.length)));
  for (const r of out) if (!(r instanceof Error)) r.cpuMs = share;
  return out;
}

function noopResult(req: KernelRequest): KernelResult {
  const summary = checksum(req);
  if (req.kernel !== '' && req.kernel !== 'noop') summary.requested = req.kernel;
  return { kernel: 'noop', cpuMs: 0, summary };
}
