// Piscina worker: runs a chunk of kernel requests in order. The genome kernels plug in here
// (node-agent/kernels, another engineer's package); until then every request runs the `noop`
// kernel and says so. One failing kernel fails only its own task.
import type { KernelOutcome, KernelRequest, KernelResult } from './kernel-types.js';
import { noopKernel } from './noop-kernel.js';

type ThreadCpu = () => { user: number; system: number };
const threadCpuUsage = (process as unknown as { threadCpuUsage?: ThreadCpu }).threadCpuUsage;

function cpuNowMs(): number {
  if (threadCpuUsage) {
    const u = threadCpuUsage.call(process);
    return (u.user + u.system) / 1000;
  }
  return performance.now();
}

function runKernel(req: KernelRequest): KernelResult {
  const t0 = cpuNowMs();
  const summary: Record<string, unknown> = noopKernel(req);
  if (req.kernel !== '' && req.kernel !== 'noop') summary.requested = req.kernel;
  return { kernel: 'noop', cpuMs: Math.max(0, Math.round(cpuNowMs() - t0)), summary };
}

export default function runKernels(reqs: KernelRequest[]): KernelOutcome[] {
  return reqs.map((req) => {
    try {
      return { ok: true, result: runKernel(req) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  });
}
