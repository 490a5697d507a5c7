// Test fixtures (for sim's tests; not exported for production use): small hand-made jobs for the flat machine of `flatClusterConfig`.
import type { JobSpec, TaskSpec } from '../../scheduler/core/index.js';

/** A job on the flat machine's partition/QoS/account; each task defaults to 1 core, 10 s of 100 s allowed. */
export function flatJob(name: string, tasks: Partial<TaskSpec>[], extra: Partial<JobSpec> = {}): JobSpec {
  return {
    name,
    owner: 'u',
    account: 'swf',
    partition: 'batch',
    qos: 'normal',
    purpose: 'research',
    pseudonyms: [],
    tasks: tasks.map((t) => ({ cores: 1, memMb: 0, timeLimitMs: 100_000, durationMs: 10_000, ...t })),
    ...extra,
  };
}
