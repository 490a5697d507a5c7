// The commands end to end in-process, against the stand-in API: what they print, where,
// and with which exit code. (cli/e2e.test.ts does the same against the real scheduler.)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';
import { startFakeApi, type FakeApi, freePort } from '../testing/index.js';

let api: FakeApi;
let dir: string;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function gsched(...args: string[]): Promise<Run> {
  return gschedLocal(...(args.includes('--url') ? args : [...args, '--url', api.url]));
}

/** A command that talks to no scheduler (no --url added). */
async function gschedLocal(...args: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await main(['node', 'gsched', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  api = await startFakeApi();
  dir = mkdtempSync(join(tmpdir(), 'gsched-cmd-'));
  writeFileSync(join(dir, 'api-token'), api.token);
  vi.stubEnv('GSCHED_STATE', dir);
  vi.stubEnv('GSCHED_TOKEN', '');
  vi.stubEnv('USER', 'alice');
  vi.stubEnv('COLUMNS', '');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('submit', () => {
  it('submits with defaults and prints the id like sbatch', async () => {
    const r = await gsched('submit', '-A', 'rh-genetics', '--name', 'exome-1');
    expect(r).toMatchObject({ code: 0, err: '' });
    const id = /^Submitted job (\d+)\n$/.exec(r.out)?.[1];
    expect(id).toBeDefined();
    expect(api.jobs.get(id as string)).toMatchObject({ name: 'exome-1', account: 'rh-genetics', partition: 'clinical', qos: 'normal' });
  });

  it('reads #GSCHED lines and lets flags override them', async () => {
    const script = join(dir, 'trio.sh');
    writeFileSync(script, '#!/bin/bash\n#GSCHED --account auh-oncology -c 2 --mem 8G\n#GSCHED --qos low\nrun\n');
    const r = await gsched('submit', script, '--qos', 'urgent', '--parsable');
    expect(r.code).toBe(0);
    const job = api.jobs.get(r.out.trim());
    expect(job).toMatchObject({ name: 'trio.sh', account: 'auh-oncology', qos: 'urgent', cores: 2 });
    expect(job?.tasks[0]?.memMb).toBe(8192);
  });

  it('announces arrays and prints --json verbatim', async () => {
    const r = await gsched('submit', '-A', 'rh-genetics', '--array', '0-3%2');
    expect(r.out).toMatch(/^Submitted array job (\d+) \(\1_0\.\.\1_3\)\n$/);
    const j = await gsched('submit', '-A', 'rh-genetics', '--json');
    expect(JSON.parse(j.out)).toMatchObject({ jobIds: [expect.any(Number)], displayIds: [expect.any(String)] });
  });

  it('refuses bad input with one line on stderr and exit 2, sending nothing', async () => {
    const before = api.requests.length;
    const r = await gsched('submit', '-A', 'rh-genetics', '--mem', '4X');
    expect(r).toEqual({ code: 2, out: '', err: 'gsched: --mem 4X: expected a size like 4G or 500M\n' });
    const s = await gsched('submit', join(dir, 'no-such.sh'), '-A', 'x');
    expect(s.code).toBe(2);
    expect(s.err).toContain('cannot read script');
    expect(api.requests.length).toBe(before);
  });

  it('passes the scheduler\'s refusal on as one line', async () => {
    const r = await gsched('submit', '-A', 'nope');
    expect(r).toEqual({ code: 2, out: '', err: 'gsched: account: nope is not known here\n' });
  });

  it('exits 2 on an unknown flag', async () => {
    expect((await gsched('submit', '--gpus', '1')).code).toBe(2);
  });
});

describe('queue, show, cancel', () => {
  it('lists active jobs with the squeue columns and honours --format and --json', async () => {
    const id = (await gsched('submit', '-A', 'research-ngc', '--name', 'cohort-qc', '--parsable')).out.trim();
    const r = await gsched('queue');
    expect(r.code).toBe(0);
    const [header, ...rows] = r.out.trimEnd().split('\n');
    expect(header?.split(/\s+/).filter(Boolean)).toEqual(['JOBID', 'NAME', 'ACCOUNT', 'PARTITION', 'ST', 'REASON', 'POS', 'TIME', 'NODES']);
    const row = rows.find((l) => l.trim().startsWith(`${id} `));
    expect(row?.split(/\s+/).filter(Boolean)).toEqual([id, 'cohort-qc', 'research-ngc', 'clinical', 'PD', 'Priority', '1', expect.stringMatching(/^\d+:\d\d$/), '1']);
    expect(api.requests.at(-1)).toContain('state=PENDING%2CRUNNING');

    const f = await gsched('queue', '--format', 'jobid,st', '--account', 'research-ngc');
    expect(f.out.split('\n')[0]).toBe('JOBID  ST');
    expect(api.requests.at(-1)).toContain('account=research-ngc');

    const j = await gsched('queue', '--json', '--state', 'PD');
    expect((JSON.parse(j.out) as { id: number }[]).some((x) => String(x.id) === id)).toBe(true);
  });

  it('refuses unknown columns and states', async () => {
    const f = await gsched('queue', '--format', 'JOBID,COLOUR');
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/unknown column COLOUR/);
    expect((await gsched('queue', '--state', 'sleeping')).code).toBe(2);
  });

  it('shows a job as key=value lines with its priority breakdown and tasks', async () => {
    const id = (await gsched('submit', '-A', 'rh-genetics', '-n', '2', '-c', '3', '--parsable')).out.trim();
    const r = await gsched('show', 'job', id);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^JobId=${id} JobName=job\\n`));
    expect(r.out).toContain('Priority=10000 Age=0 Fairshare=0.5 QOSFactor=0.5 PartitionFactor=1 Size=0.01');
    expect(r.out).toContain('NumTasks=2 NumCPUs=6 NodeList=(null)');
    expect(r.out).toMatch(/Task\[1\]=t1 Id=\d+ State=PENDING Node=\(null\) NumCPUs=3 Mem=1000M TimeLimit=1-00:00:00/);
    // An array's own id shows every element, one record after another, as scontrol does.
    const arrayId = /^Submitted array job (\d+) /.exec((await gsched('submit', '-A', 'rh-genetics', '--array', '0-2')).out)?.[1] as string;
    const all = await gsched('show', 'job', arrayId);
    expect(all.code).toBe(0);
    expect(all.out.match(/^JobId=\S+/gm)).toEqual([0, 1, 2].map((i) => `JobId=${arrayId}_${i}`));
    expect(all.out).toContain('\n\nJobId=');
    expect((await gsched('show', 'job', `${arrayId}_1`)).out.match(/^JobId=\S+/gm)).toEqual([`JobId=${arrayId}_1`]);
    expect((JSON.parse((await gsched('show', 'job', arrayId, '--json')).out) as { displayId: string }[]).map((j) => j.displayId)).toEqual([0, 1, 2].map((i) => `${arrayId}_${i}`));
    const missing = await gsched('show', 'job', '4242');
    expect(missing).toMatchObject({ code: 1, err: 'gsched: no job 4242\n' });
  });

  it('cancels each id, and names the ones that failed with exit 1', async () => {
    const a = (await gsched('submit', '-A', 'rh-genetics', '--parsable')).out.trim();
    const b = (await gsched('submit', '-A', 'rh-genetics', '--parsable')).out.trim();
    const ok = await gsched('cancel', a);
    expect(ok).toEqual({ code: 0, out: `Cancelled job ${a} (CANCELLED)\n`, err: '' });
    const mixed = await gsched('cancel', a, '77777', b);
    expect(mixed.code).toBe(1);
    expect(mixed.out).toBe(`Cancelled job ${b} (CANCELLED)\n`);
    expect(mixed.err).toContain(`gsched: cancel ${a}: job ${a} is already CANCELLED`);
    expect(mixed.err).toContain('gsched: cancel 77777: no job 77777');
    expect(mixed.err).toContain(`could not cancel jobs ${a}, 77777`);
    expect((await gsched('cancel', 'abc')).code).toBe(2);
    // A signal no kill takes is refused before anything is sent.
    const sent = api.requests.length;
    expect(await gsched('cancel', '--signal', 'BOGUS', b)).toEqual({ code: 2, out: '', err: 'gsched: --signal BOGUS: not a signal: expected a name like USR1 or TERM, or a number like 10\n' });
    expect(api.requests.length).toBe(sent);
    const json = await gsched('cancel', b, '77777', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual([{ id: b, error: `job ${b} is already CANCELLED` }, { id: '77777', error: 'no job 77777' }]);
  });

  it('cancels every active element for an array job\'s own id, like scancel', async () => {
    const arrayId = /^Submitted array job (\d+) /.exec((await gsched('submit', '-A', 'rh-genetics', '--array', '0-3')).out)?.[1] as string;
    expect((await gsched('cancel', `${arrayId}_1`)).out).toBe(`Cancelled job ${arrayId}_1 (CANCELLED)\n`);
    const before = api.requests.length;
    const r = await gsched('cancel', arrayId);
    expect(r).toEqual({ code: 0, out: `Cancelled array job ${arrayId} (3 active elements)\n`, err: '' });
    // One request: the scheduler cancels the elements in one step (one DELETE per element, after
    // listing them, took minutes for a large array and failed when one ended meanwhile).
    expect(api.requests.slice(before)).toEqual([`DELETE /api/v1/jobs/${arrayId}`]);
    const other = /^Submitted array job (\d+) /.exec((await gsched('submit', '-A', 'rh-genetics', '--array', '0-2')).out)?.[1] as string;
    expect(JSON.parse((await gsched('cancel', other, '--json')).out)).toEqual([{ id: other, state: 'CANCELLED', elements: 3 }]);
    const states = [0, 1, 2, 3].map((i) => api.jobs.get(`${arrayId}_${i}`)?.state);
    expect(states).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
  });
});

describe('dependencies on array elements', () => {
  it('takes Slurm\'s afterok:120_3 on submit and update, as the element\'s job id', async () => {
    const arrayId = /^Submitted array job (\d+) /.exec((await gsched('submit', '-A', 'rh-genetics', '--array', '0-2')).out)?.[1] as string;
    const element = api.jobs.get(`${arrayId}_1`)?.id as number;
    const sub = await gsched('submit', '-A', 'rh-genetics', '-d', `afterok:${arrayId}_1:${arrayId}`, '--parsable');
    expect(sub.code, sub.err).toBe(0);
    expect(api.jobs.get(sub.out.trim())?.dependencies).toEqual([{ kind: 'afterok', jobId: element }, { kind: 'afterok', jobId: Number(arrayId) }]);
    const missing = await gsched('submit', '-A', 'rh-genetics', '-d', `afterok:${arrayId}_7`);
    expect(missing).toMatchObject({ code: 2, err: `gsched: --dependency afterok:${arrayId}_7: expected a dependency on jobs that exist (no job ${arrayId}_7)\n` });
    expect((await gsched('show', 'job', sub.out.trim())).out).toContain(`Dependency=afterok:${arrayId}_1,afterok:${arrayId} `);
    const upd = await gsched('update', sub.out.trim(), `Dependency=afterany:${arrayId}_2`);
    expect(upd.err).toBe('');
    expect(api.jobs.get(sub.out.trim())?.dependencies).toEqual([{ kind: 'afterany', jobId: api.jobs.get(`${arrayId}_2`)?.id }]);
  });
});

describe('show node (scontrol show node)', () => {
  it('prints a node as key=value lines, every node without a name, and exit 1 for an unknown one', async () => {
    const r = await gsched('scontrol', 'show', 'node', 'c2-n001');
    expect(r).toEqual({ code: 0, out: 'NodeName=c2-n001 Container=c2 Kind=highmem Cooling=air\n   State=IDLE CPUAlloc=0 CPUTot=64 RealMemory=1572864 AllocMem=0 Tasks=0\n', err: '' });
    expect((await gsched('show', 'node')).out.match(/^NodeName=\S+/gm)).toEqual(api.nodes.map((n) => `NodeName=${n.name}`));
    expect(await gsched('show', 'node', 'c9-n001')).toEqual({ code: 1, out: '', err: 'gsched: no node named c9-n001 (gsched nodes --long lists them)\n' });
  });
});

describe('fsck', () => {
  it('calls a folder that is not there a usage error (exit 2), not damage', async () => {
    expect(await gschedLocal('fsck', join(dir, 'no-such-state'))).toEqual({ code: 2, out: '', err: `gsched: fsck ${join(dir, 'no-such-state')}: no such folder (give the --state folder of gsched up)\n` });
  });
});

describe('--me and squeue -j', () => {
  it("--me means the token's identity (the owner of the jobs it submits), not the Unix $USER", async () => {
    // USER is alice here; the fake API's token is anna, who owns the jobs submitted with it.
    const mine = (await gsched('submit', '-A', 'rh-genetics', '--name', 'mine', '--parsable')).out.trim();
    const q = await gsched('queue', '--me', '--format', 'JOBID,OWNER');
    expect(q.code).toBe(0);
    expect(api.requests.at(-1)).toContain('owner=anna');
    expect(q.out).toMatch(new RegExp(`^\\s*${mine}\\s+anna$`, 'm'));
    const r = await gsched('cancel', '--me', '-n', 'mine');
    expect(r).toEqual({ code: 0, out: `Cancelled job ${mine} (CANCELLED)\n`, err: '' });
    expect((await gsched('queue', '--me', '-u', 'bob')).code).toBe(2);
  });

  it('-j lists the jobs named, an array id standing for every element, finished ones included', async () => {
    const arrayId = /^Submitted array job (\d+) /.exec((await gsched('submit', '-A', 'rh-genetics', '--array', '0-2')).out)?.[1] as string;
    const single = (await gsched('submit', '-A', 'rh-genetics', '--parsable')).out.trim();
    await gsched('cancel', single);
    const ids = (out: string): string[] => out.trimEnd().split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0] as string);
    expect(ids((await gsched('queue', '-j', `${arrayId},${single}`, '--format', 'JOBID,ST')).out).sort()).toEqual([`${arrayId}_0`, `${arrayId}_1`, `${arrayId}_2`, single].sort());
    expect(ids((await gsched('queue', '-j', `${arrayId}_1`)).out)).toEqual([`${arrayId}_1`]);
    const bad = await gsched('queue', '-j', '12,x');
    expect(bad).toMatchObject({ code: 2, err: 'gsched: --jobs 12,x: expected job ids like 12,120 or 120_3 ("x" is not one)\n' });
  });

  it("takes Slurm's long names --states and --user, and sprio -j picks jobs the same way", async () => {
    const r = await gsched('squeue', '--states', 'PD', '--user', 'bob');
    expect(r.code).toBe(0);
    expect(api.requests.at(-1)).toMatch(/state=PENDING.*owner=bob/);
    expect((await gsched('squeue', '--states', 'PD', '-t', 'R')).code).toBe(2);
    const a = (await gsched('submit', '-A', 'rh-genetics', '--parsable')).out.trim();
    const b = (await gsched('submit', '-A', 'rh-genetics', '--parsable')).out.trim();
    const prio = await gsched('sprio', '-j', a);
    expect(prio.code).toBe(0);
    const listed = prio.out.trimEnd().split('\n').slice(1).map((l) => l.trim().split(/\s+/)[0]);
    expect(listed).toEqual([a]);
    expect(listed).not.toContain(b);
    expect((await gsched('sprio', '-j', 'x')).code).toBe(2);
  });
});

describe('nodes, drain, resume', () => {
  it('summarises nodes per container, kind and state', async () => {
    const r = await gsched('nodes');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n').map((l) => l.split(/\s+/));
    expect(lines[0]).toEqual(['CONTAINER', 'KIND', 'STATE', 'NODES', 'CPUS(A/I/O/T)', 'MEMORY', 'NODELIST']);
    expect(lines).toContainEqual(['c1', 'std', 'idle', '2', '0/128/0/128', '256G', 'c1-n[001-002]']);
    expect(lines).toContainEqual(['c2', 'highmem', 'idle', '1', '0/64/0/64', '1536G', 'c2-n001']);
  });

  it('drains and resumes a node, and the long view shows it', async () => {
    expect((await gsched('drain', 'c1-n002', '--reason', 'DIMM errors')).out).toBe('c1-n002: drained (0 tasks running, 0/64 cores in use)\n');
    expect(api.requests).toContain('POST /api/v1/nodes/c1-n002/drain');
    const long = await gsched('nodes', '-N');
    expect(long.out).toMatch(/c1-n002\s+c1\s+std\s+air\s+drained\s+0\/0\/64\/64\s+0M\/256G\s+0/);
    const summary = await gsched('nodes');
    expect(summary.out).toMatch(/c1\s+std\s+drained\s+1\s+0\/0\/64\/64/);
    expect((await gsched('resume', 'c1-n002')).out).toBe('c1-n002: idle (0 tasks running, 0/64 cores in use)\n');
    const none = await gsched('drain', 'c9-n001');
    expect(none).toMatchObject({ code: 1, err: 'gsched: no node c9-n001\n' });
  });
});

describe('no scheduler', () => {
  it('exits 3 with the hint to start one', async () => {
    const port = await freePort();
    const r = await gsched('queue', '--url', `http://127.0.0.1:${port}`);
    expect(r).toEqual({ code: 3, out: '', err: `gsched: cannot reach the scheduler at http://127.0.0.1:${port}: is it running? (npm start)\n` });
  });
});
