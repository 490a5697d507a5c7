// What the agent hands a kernel and what it gets back.

export interface KernelRequest {
  /** Kernel name from the task; empty for the default. */
  kernel: string;
  taskId: number;
  attempt: number;
  jobId: number;
  cores: number;
  memMb: number;
}

export interface KernelResult {
  /** The kernel that actually ran. */
  kernel: string;
  /** CPU time of the worker thread while it ran (wall time where the runtime cannot tell). */
  cpuMs: number;
  /** Kernel-defined JSON-able summary. */
  summary: Record<string, unknown>;
}
