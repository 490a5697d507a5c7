// CPU time of the calling thread. Node 20 has no per-thread CPU API, so on Linux read
// utime+stime from /proc/thread-self/stat; elsewhere fall back to process-wide time.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every Linux ABI Node supports

export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}
