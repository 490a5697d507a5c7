// The built CLI (node dist/cli/main.js) against the real scheduler and agent processes that
// `gsched up` starts on loopback: what an operator types, what they see, and the exit codes.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../common/index.js';
import { startGschedUp, type GschedUp, freePort, runCli, type CliRun } from './testing/index.js';

const CLUSTER = join(packageRoot(), 'scheduler', 'testing', 'cluster.small.json');
// 100 modelled seconds per wall second: `--duration 1s` is over in 10 ms, `1-00` takes 14 minutes.
const TIME_SCALE = 0.01;

let live: GschedUp;
let env: NodeJS.ProcessEnv;

const gsched = (...args: string[]): Promise<CliRun> => runCli(args, env);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Rows of a table as arrays of cells (cells never contain spaces in these tests). */
const rows = (out: string): string[][] =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));

beforeAll(async () => {
  live = await startGschedUp({ cluster: CLUSTER, timeScale: TIME_SCALE });
  // What an operator has: the URL and the state folder; the token comes from <state>/api-token.
  env = { PATH: process.env.PATH, HOME: process.env.HOME, USER: 'e2e-operator', GSCHED_URL: live.httpUrl, GSCHED_STATE: live.state };
}, 60_000);

afterAll(async () => {
  await live?.stop();
});

describe('gsched against the live scheduler', () => {
  it('nodes: every container is up and idle', async () => {
    const r = await gsched('nodes');
    expect(r.code).toBe(0);
    expect(rows(r.stdout)).toEqual([
      ['CONTAINER', 'KIND', 'STATE', 'NODES', 'CPUS(A/I/O/T)', 'MEMORY', 'NODELIST'],
      ['c1', 'std', 'idle', '2', '0/16/0/16', '32G', 'c1-n[001-002]'],
      ['c2', 'std', 'idle', '2', '0/16/0/16', '32G', 'c2-n[001-002]'],
      ['c3', 'std', 'idle', '2', '0/16/0/16', '32G', 'c3-n[001-002]'],
    ]);
  });

  it('submit → queue shows it → it completes', async () => {
    const sub = await gsched('submit', '--account', 'rh-genetics', '--name', 'exome-qc', '--cores', '2', '--mem', '4G', '--time', '1:00:00', '--duration', '1s');
    expect(sub).toMatchObject({ code: 0, stderr: '' });
    const id = /^Submitted job (\d+)\n$/.exec(sub.stdout)?.[1] as string;
    expect(id).toBeDefined();
    const done = await until('the job to complete', async () => {
      const q = await gsched('queue', '--all', '--format', 'JOBID,NAME,ACCOUNT,ST');
      return rows(q.stdout).find((r) => r[0] === id && r[3] === 'CD');
    });
    expect(done).toEqual([id, 'exome-qc', 'rh-genetics', 'CD']);
    const show = await gsched('show', 'job', id);
    expect(show.stdout).toContain('JobState=COMPLETED ST=CD');
    expect(show.stdout).toMatch(/NodeList=c\d-n\d{3}\n/);
    expect(show.stdout).toMatch(/Task\[0\]=\S+ Id=\d+ State=COMPLETED Node=c\d-n\d{3} NumCPUs=2 Mem=4G TimeLimit=1:00:00 .* Result=completed Kernel=\S+/);
    // Finished jobs leave the default (active) listing.
    const active = await gsched('queue');
    expect(rows(active.stdout).some((r) => r[0] === id)).toBe(false);
  });

  it('a running job shows in queue and show job, and cancel stops it', async () => {
    const sub = await gsched('submit', '-A', 'rh-genetics', '-J', 'wgs-trio', '-n', '2', '-c', '4', '--duration', '1-00', '--parsable');
    expect(sub.code).toBe(0);
    const id = sub.stdout.trim();
    expect(id).toMatch(/^\d+$/);
    const row = await until('the job to run', async () => {
      const q = await gsched('queue', '--owner', 'e2e-operator');
      return rows(q.stdout).find((r) => r[0] === id && r[4] === 'R');
    });
    expect(row?.slice(0, 5)).toEqual([id, 'wgs-trio', 'rh-genetics', 'clinical', 'R']);

    const show = await gsched('show', 'job', id);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^JobId=${id} JobName=wgs-trio\\n`));
    expect(show.stdout).toContain('Owner=e2e-operator Account=rh-genetics Partition=clinical QOS=normal Purpose=treatment');
    expect(show.stdout).toContain('JobState=RUNNING ST=R');
    expect(show.stdout).toMatch(/Priority=\S+ Age=\S+ Fairshare=\S+ QOSFactor=\S+ PartitionFactor=\S+ Size=\S+/);
    expect(show.stdout).toContain('NumTasks=2 NumCPUs=8');
    expect(show.stdout).toMatch(/Task\[0\]=\S+ Id=\d+ State=RUNNING Node=c\d-n\d{3} NumCPUs=4/);
    const json = JSON.parse((await gsched('show', 'job', id, '--json')).stdout) as { id: number; tasks: unknown[] };
    expect(json.id).toBe(Number(id));
    expect(json.tasks).toHaveLength(2);

    // A job that waits for it says so.
    const dep = (await gsched('submit', '-A', 'rh-genetics', '-J', 'after-trio', '-d', `afterok:${id}`, '--parsable')).stdout.trim();
    const waiting = await gsched('queue', '--format', 'jobid,name,st,reason');
    expect(rows(waiting.stdout)).toContainEqual([dep, 'after-trio', 'PD', 'Dependency']);
    expect((await gsched('cancel', dep)).code).toBe(0);

    const cancel = await gsched('cancel', id);
    expect(cancel).toEqual({ code: 0, stdout: `Cancelled job ${id} (CANCELLED)\n`, stderr: '' });
    const after = await gsched('queue', '--all', '--format', 'jobid,st');
    expect(rows(after.stdout)).toContainEqual([id, 'CA']);
    const again = await gsched('cancel', id, '999999');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('gsched: cancel 999999: no job 999999');
    expect(again.stderr.trimEnd().split('\n').at(-1)).toMatch(/^gsched: could not cancel jobs? .*999999/);
  });

  it('a job array from a script with #GSCHED lines runs its commands in every element', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-e2e-script-'));
    try {
      const script = join(dir, 'panel.sh');
      writeFileSync(script, '#!/bin/bash\n#GSCHED --account rh-genetics --cores 1 --mem 500M\n#GSCHED --array 0-6:2%2 -o %x-%A_%a.out\necho "panel $GSCHED_ARRAY_TASK_ID of $GSCHED_ARRAY_JOB_ID on $GSCHED_NODE with $GSCHED_CPUS cpu"\n');
      const sub = await gsched('submit', script, '--time', '30', '-D', dir);
      expect(sub.code).toBe(0);
      const m = /^Submitted array job (\d+) \((\d+)_0\.\.(\d+)_6\)\n$/.exec(sub.stdout);
      expect(m?.[1]).toBeDefined();
      const arrayId = m?.[1] as string;
      const finished = await until('every element to complete', async () => {
        const q = await gsched('queue', '--all', '--format', 'JOBID,NAME,ST');
        const mine = rows(q.stdout).filter((r) => r[0]?.startsWith(`${arrayId}_`));
        return mine.length === 4 && mine.every((r) => r[2] === 'CD') ? mine : undefined;
      });
      expect(finished.map((r) => r[0]).sort()).toEqual([0, 2, 4, 6].map((i) => `${arrayId}_${i}`));
      expect(finished.every((r) => r[1] === 'panel.sh')).toBe(true);
      for (const i of [0, 2, 4, 6]) {
        expect(readFileSync(join(dir, `panel.sh-${arrayId}_${i}.out`), 'utf8')).toMatch(new RegExp(`^panel ${i} of ${arrayId} on c\\d-n\\d{3} with 1 cpu\n$`));
      }
      const show = await gsched('show', 'job', `${arrayId}_2`);
      expect(show.stdout).toMatch(new RegExp(`^JobId=${arrayId}_2 JobName=panel.sh ArrayJobId=${arrayId} ArrayTaskId=2\n`));
      expect(show.stdout).toMatch(/Mem=500M TimeLimit=30:00 /);
      expect(show.stdout).toMatch(/Result=completed Kernel=exec .*ExitCode=0:0 StdOut=\S+panel\.sh-\d+_2\.out/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a command that exits non-zero fails with its code, and cancel stops a running command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsched-e2e-exec-'));
    try {
      const failing = (await gsched('submit', '-A', 'rh-genetics', '-J', 'bad', '-D', dir, '--wrap', 'echo broken >&2; exit 3', '--parsable')).stdout.trim();
      const failed = await until('the job to fail', async () => {
        const j = JSON.parse((await gsched('show', 'job', failing, '--json')).stdout) as { state: string; results?: { exitCode?: number; error?: string }[] };
        return j.state === 'FAILED' ? j : undefined;
      });
      expect(failed.results?.[0]).toMatchObject({ exitCode: 3, error: 'the command exited with code 3' });
      expect(readFileSync(join(dir, `gsched-${failing}.out`), 'utf8')).toBe('broken\n');

      const pidFile = join(dir, 'pid');
      const long = (await gsched('submit', '-A', 'rh-genetics', '-J', 'long', '-D', dir, '--wrap', `echo $$ > ${pidFile}; exec sleep 300`, '--parsable')).stdout.trim();
      const pid = await until('the command to start', async () => (existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '' ? Number(readFileSync(pidFile, 'utf8')) : undefined));
      expect((await gsched('cancel', long)).code).toBe(0);
      await until('the command to be gone', async () => (existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z') ? undefined : true));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancel with an array job\'s id cancels every element', async () => {
    const sub = await gsched('submit', '-A', 'rh-genetics', '-J', 'long-array', '--array', '0-2', '--duration', '1-00', '--parsable');
    const arrayId = sub.stdout.trim();
    expect(arrayId).toMatch(/^\d+$/);
    const r = await gsched('cancel', arrayId);
    expect(r).toEqual({ code: 0, stdout: `Cancelled array job ${arrayId} (3 active elements)\n`, stderr: '' });
    const q = await gsched('queue', '--all', '--format', 'JOBID,ST');
    expect(rows(q.stdout).filter((row) => row[0]?.startsWith(`${arrayId}_`)).sort()).toEqual([0, 1, 2].map((i) => [`${arrayId}_${i}`, 'CA']));
  });

  it('drain and resume a node', async () => {
    const d = await gsched('drain', 'c2-n001', '--reason', 'DIMM errors');
    expect(d).toMatchObject({ code: 0, stdout: expect.stringMatching(/^c2-n001: drain(ed|ing) /) });
    const long = await gsched('nodes', '--long');
    expect(rows(long.stdout).find((r) => r[0] === 'c2-n001')?.[4]).toMatch(/^drain(ed|ing)$/);
    const r = await gsched('resume', 'c2-n001');
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^c2-n001: (idle|mixed|allocated) /) });
    const missing = await gsched('drain', 'c9-n001');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('gsched: no node named c9-n001\n');
  });

  it('passes the scheduler\'s refusals on as one line with a usage exit code', async () => {
    const r = await gsched('submit', '-A', 'rh-genetics', '--partition', 'gpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^gsched: .*gpu.*\n$/);
  });

  it('exit 1 with a hint when the token is wrong', async () => {
    const r = await runCli(['queue'], { ...env, GSCHED_TOKEN: 'not-the-token' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the API token was refused');
  });

  it('exit 3 when nothing listens at the URL', async () => {
    const port = await freePort();
    const r = await gsched('queue', '--url', `http://127.0.0.1:${port}`);
    expect(r).toEqual({ code: 3, stdout: '', stderr: `gsched: cannot reach the scheduler at http://127.0.0.1:${port}: is it running? (npm start)\n` });
  });
});
