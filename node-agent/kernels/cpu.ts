// CPU time of the calling thread. Node 20 has no per-thread CPU API, so on Linux read
// utime+stime from /proc/thread-self/stat; elsewhere fall back to process-wide time.
import { readStatCpu } from '../../common/index.js';

export function threadCpuMs(): number {
  const own = readStatCpu('/proc/thread-self/stat')?.ownMs;
  if (own !== undefined) return own;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
