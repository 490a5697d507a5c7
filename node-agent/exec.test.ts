// The exec kernel runs real child processes here: environment, output files and their
// patterns, exit codes, SIGTERM-then-SIGKILL, signals, bad working directories, and the cgroup
// files it writes (against a plain folder: this machine has no writable cgroup v2).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Assignment, Exec } from '../proto/index.js';
import { CgroupLimits } from './cgroup.js';
import { expandPattern, runExec, type ExecOptions } from './exec.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opts = (over: Partial<ExecOptions> = {}): ExecOptions => ({ scratchDir: join(dir, 'scratch'), killGraceMs: 5_000, cgroups: null, baseEnv: { PATH: process.env.PATH, GSCHED_TOKEN: 'secret' }, ...over });

/** A process that exists and is not a zombie (this container's init may not reap orphans). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

let next = 1;
function assignment(exec: Partial<Exec>, over: Partial<Assignment> = {}): { a: Assignment; exec: Exec } {
  const id = next++;
  const e: Exec = { script: '', chdir: dir, output: '', error: '', env: { GSCHED_JOB_ID: String(100 + id), GSCHED_JOB_NAME: 'panel' }, append: false, ...exec };
  return { a: { task: { taskId: id, attempt: 1 }, jobId: 100 + id, node: 'c1-n001', cores: 2, memMb: 512, timeLimitMs: 60_000, durationMs: 0, kernel: 'exec', displayId: String(100 + id), exec: e, ...over }, exec: e };
}

describe('the exec kernel', () => {
  it('runs the script with the job environment, and patterns name its files', async () => {
    const { a, exec } = assignment({
      script: '#!/bin/sh\necho "job=$GSCHED_JOB_ID task=$GSCHED_ARRAY_TASK_ID cpus=$GSCHED_CPUS node=$GSCHED_NODE slurm=$SLURM_JOB_ID token=${GSCHED_TOKEN:-none}"\npwd\necho oops >&2\n',
      output: '%x-%A_%a.out',
      error: 'err-%j.txt',
      env: { GSCHED_JOB_ID: '120', GSCHED_JOB_NAME: 'panel', GSCHED_ARRAY_JOB_ID: '118', GSCHED_ARRAY_TASK_ID: '2' },
    });
    const r = await runExec(a, exec, opts()).done;
    expect(r).toMatchObject({ exitCode: 0, signal: '', output: join(dir, 'panel-118_2.out'), error: join(dir, 'err-120.txt'), cgroup: { applied: false } });
    expect(readFileSync(r.output, 'utf8')).toBe(`job=120 task=2 cpus=2 node=c1-n001 slurm=120 token=none\n${dir}\n`);
    expect(readFileSync(r.error, 'utf8')).toBe('oops\n');
    expect(existsSync(join(dir, 'scratch', `task-${a.task.taskId}-1.sh`))).toBe(false); // cleaned up
  });

  it('runs a script without #! with /bin/sh, and by default writes gsched-%j.out with stderr in it', async () => {
    const { a, exec } = assignment({ script: 'echo out; echo err >&2; exit 3\n' });
    const r = await runExec(a, exec, opts()).done;
    expect(r.exitCode).toBe(3);
    expect(r.output).toBe(join(dir, `gsched-${a.jobId}.out`));
    expect(readFileSync(r.output, 'utf8')).toBe('out\nerr\n');
  });

  it('counts the CPU time of the command', async () => {
    const { a, exec } = assignment({ script: 'i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done\n' });
    const r = await runExec(a, exec, opts()).done;
    expect(r.exitCode).toBe(0);
    expect(r.cpuMs).toBeGreaterThan(0);
  });

  it('stops with SIGTERM, then SIGKILL after the grace period, and reaches the whole process group', async () => {
    const pidFile = join(dir, 'child.pid');
    // The script ignores TERM; its background child would too.
    const { a, exec } = assignment({ script: `#!/bin/sh\ntrap '' TERM\nsleep 30 &\necho $! > ${pidFile}\necho started\nwait\n` });
    const h = runExec(a, exec, opts());
    const out = join(dir, `gsched-${a.jobId}.out`);
    while (!existsSync(pidFile) || !readFileSync(out, 'utf8').includes('started')) await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    h.stop(300);
    const r = await h.done;
    expect(r.signal).toBe('SIGKILL');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    const child = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 50));
    expect(alive(child)).toBe(false); // the background sleep went with the group
  });

  it('a command that honours SIGTERM ends with it at once', async () => {
    const { a, exec } = assignment({ script: 'exec sleep 30\n' });
    const h = runExec(a, exec, opts());
    await new Promise((r) => setTimeout(r, 100));
    h.stop();
    expect((await h.done).signal).toBe('SIGTERM');
  });

  it('delivers a signal without ending the command', async () => {
    const { a, exec } = assignment({ script: `trap 'echo got-usr1; exit 0' USR1\necho ready\nwhile :; do sleep 0.05; done\n` });
    const h = runExec(a, exec, opts());
    const out = join(dir, `gsched-${a.jobId}.out`);
    while (!existsSync(out) || !readFileSync(out, 'utf8').includes('ready')) await new Promise((r) => setTimeout(r, 20));
    expect(h.signal('USR1')).toBe(true);
    const r = await h.done;
    expect(r).toMatchObject({ exitCode: 0, signal: '' });
    expect(readFileSync(out, 'utf8')).toContain('got-usr1');
    expect(h.signal('NOPE')).toBe(false);
  });

  it('cannot start in a missing directory or write a missing folder, and says which', async () => {
    const missing = assignment({ script: 'true\n', chdir: join(dir, 'nope') });
    expect((await runExec(missing.a, missing.exec, opts()).done).startError).toMatch(/^--chdir .*nope: ENOENT on c1-n001$/);
    const badOut = assignment({ script: 'true\n', output: 'no/such/dir/%j.out' });
    expect((await runExec(badOut.a, badOut.exec, opts()).done).startError).toMatch(/^cannot open .*no\/such\/dir\/\d+\.out for the job's output: ENOENT$/);
  });

  it('appends when several tasks share the files', async () => {
    const shared = { script: 'echo "t$GSCHED_TASK_INDEX"\n', output: 'shared-%j.out', append: true };
    const one = assignment({ ...shared, env: { GSCHED_JOB_ID: '900', GSCHED_TASK_INDEX: '0' } });
    const two = assignment({ ...shared, env: { GSCHED_JOB_ID: '900', GSCHED_TASK_INDEX: '1' } });
    await runExec(one.a, one.exec, opts()).done;
    await runExec(two.a, two.exec, opts()).done;
    expect(readFileSync(join(dir, 'shared-900.out'), 'utf8')).toBe('t0\nt1\n');
  });

  it('with cgroup limits, writes cpu.max and memory.max and joins the cgroup before the command runs', async () => {
    const root = join(dir, 'cgroup');
    const { limits } = CgroupLimits.open(root, 'agent-c1');
    expect(limits).not.toBeNull();
    expect(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory');
    const { a, exec } = assignment({ script: 'echo $$\n' }, { cores: 3, memMb: 256 });
    const r = await runExec(a, exec, opts({ cgroups: limits })).done;
    expect(r.cgroup).toEqual({ applied: true });
    const cg = join(root, `task-${a.task.taskId}-1`);
    expect(readFileSync(join(cg, 'cpu.max'), 'utf8')).toBe('300000 100000');
    expect(readFileSync(join(cg, 'memory.max'), 'utf8')).toBe(String(256 * 1024 * 1024));
    // The shell that joined the cgroup became the command (exec keeps the pid).
    expect(readFileSync(join(cg, 'cgroup.procs'), 'utf8').trim()).toBe(readFileSync(r.output, 'utf8').trim());
  });

  it('reports why there are no limits when the cgroup folder is not writable', () => {
    expect(CgroupLimits.open('off', 'a').limits).toBeNull();
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(CgroupLimits.open('/proc/no-cgroup-here', 'a').limits).toBeNull();
    const r = CgroupLimits.open(join(file, 'cg'), 'a');
    expect(r.limits).toBeNull();
    expect(r.reason).toMatch(/^cgroup .*a-file\/cg is not writable \(ENOTDIR\): commands run without CPU or memory limits$/);
  });
});

describe('patterns', () => {
  it('expands sbatch patterns and keeps unknown ones', () => {
    const { a } = assignment({});
    expect(expandPattern('%x_%j_%A_%a_%u_%N_%t_%%_%q', a, { GSCHED_JOB_ID: '7', GSCHED_JOB_NAME: 'n', GSCHED_JOB_USER: 'anna', GSCHED_TASK_INDEX: '1' })).toBe('n_7_7_4294967294_anna_c1-n001_1_%_%q');
  });
});
