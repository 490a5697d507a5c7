// Piscina worker: runs one kernel request. The genome kernels plug in here (node-agent/kernels,
// another engineer's package); until then every request runs the `noop` kernel and says so.
import type { KernelRequest, KernelResult } from './kernel-types.js';
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

export default function runKernel(req: KernelRequest): KernelResult {
  const t0 = cpuNowMs();
  const summary: Record<string, unknown> = noopKernel(req);
  if (req.kernel !== '' && req.kernel !== 'noop') summary.requested = req.kernel;
  return { kernel: 'noop', cpuMs: Math.max(0, Math.round(cpuNowMs() - t0)), summary };
}
