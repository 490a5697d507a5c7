// Real commands of live jobs (the `exec` kernel): the driver keeps each job's command from its
// submission until the job is forgotten, and builds what an agent needs to run one task of it:
// the script, files, working directory and the GSCHED_* environment (Slurm's names alongside).
import type { Exec } from '../../proto/index.js';
import type { JobCommand, JobSpec } from '../core/index.js';

export const EXEC_KERNEL = 'exec';

interface Entry {
  spec: Pick<JobSpec, 'name' | 'owner' | 'account' | 'partition' | 'qos'> & { command: JobCommand };
  /** The array's base job id and this element's index; null for a plain job. */
  array: { base: number; index: number; count: number; min: number; max: number } | null;
  ntasks: number;
}

export class CommandBook {
  private readonly byJob = new Map<number, Entry>();

  /** Records the command of an accepted submission (live or replayed). `indices`: the array's, in id order. */
  noteSubmit(jobIds: number[], spec: JobSpec, indices: number[] | null): void {
    const command = spec.command;
    if (command === undefined) return;
    const shared = { name: spec.name, owner: spec.owner, account: spec.account, partition: spec.partition, qos: spec.qos, command };
    const base = jobIds[0];
    const min = indices?.[0] ?? 0;
    const max = indices?.[indices.length - 1] ?? 0;
    jobIds.forEach((id, i) => {
      const array = indices !== null && base !== undefined ? { base, index: indices[i] ?? i, count: indices.length, min, max } : null;
      this.byJob.set(id, { spec: shared, array, ntasks: spec.tasks.length });
    });
  }

  has(jobId: number): boolean {
    return this.byJob.has(jobId);
  }

  /** What the agent runs for task `taskIndex` of job `jobId`; null if the job has no command. */
  execFor(jobId: number, taskIndex: number, timeLimitMs: number): Exec | null {
    const e = this.byJob.get(jobId);
    if (!e) return null;
    const c = e.spec.command;
    const env: Record<string, string> = {
      GSCHED_JOB_ID: String(jobId),
      GSCHED_JOB_NAME: e.spec.name,
      GSCHED_JOB_USER: e.spec.owner,
      GSCHED_JOB_ACCOUNT: e.spec.account,
      GSCHED_JOB_PARTITION: e.spec.partition,
      GSCHED_JOB_QOS: e.spec.qos,
      GSCHED_TASK_INDEX: String(taskIndex),
      GSCHED_NTASKS: String(e.ntasks),
      GSCHED_SUBMIT_DIR: c.submitDir ?? c.chdir,
      GSCHED_TIME_LIMIT_S: String(Math.floor(timeLimitMs / 1000)),
      SLURM_JOB_NAME: e.spec.name,
      SLURM_JOB_ACCOUNT: e.spec.account,
      SLURM_JOB_PARTITION: e.spec.partition,
      SLURM_NTASKS: String(e.ntasks),
      SLURM_SUBMIT_DIR: c.submitDir ?? c.chdir,
    };
    if (e.array) {
      Object.assign(env, {
        GSCHED_ARRAY_JOB_ID: String(e.array.base),
        GSCHED_ARRAY_TASK_ID: String(e.array.index),
        GSCHED_ARRAY_TASK_COUNT: String(e.array.count),
        GSCHED_ARRAY_TASK_MIN: String(e.array.min),
        GSCHED_ARRAY_TASK_MAX: String(e.array.max),
      });
    }
    return { script: c.script, chdir: c.chdir, output: c.output ?? '', error: c.error ?? '', env, append: e.ntasks > 1 };
  }

  forget(jobId: number): void {
    this.byJob.delete(jobId);
  }
}

/** A sentence saying what is wrong with a submission's command, or null. Kept out of the pure core. */
export function commandProblem(spec: JobSpec): { field: string; message: string } | null {
  const c = spec.command;
  const wantsExec = spec.tasks.findIndex((t) => t.kernel === EXEC_KERNEL);
  if (c === undefined) {
    return wantsExec >= 0 ? { field: `tasks[${wantsExec}].kernel`, message: 'kernel "exec" runs the job\'s command, and this job has none (send command.script)' } : null;
  }
  if (c.script.trim() === '') return { field: 'command.script', message: 'the script is empty' };
  if (!c.chdir.startsWith('/')) return { field: 'command.chdir', message: `the working directory must be an absolute path, got ${JSON.stringify(c.chdir)}` };
  if (c.submitDir !== undefined && !c.submitDir.startsWith('/')) return { field: 'command.submitDir', message: `the submit directory must be an absolute path, got ${JSON.stringify(c.submitDir)}` };
  for (const f of ['output', 'error'] as const) {
    const v = c[f];
    if (v !== undefined && (v.trim() === '' || v.includes('\0'))) return { field: `command.${f}`, message: `expected a file name pattern like gsched-%j.${f === 'output' ? 'out' : 'err'}` };
  }
  const other = spec.tasks.findIndex((t) => t.kernel !== undefined && t.kernel !== EXEC_KERNEL);
  if (other >= 0) return { field: `tasks[${other}].kernel`, message: `a job with a command runs it with kernel "exec"; task ${other} asks for "${spec.tasks[other]?.kernel}"` };
  return null;
}
