// The security scenario as a new user would try it, on a real `gsched up` (scheduler and three
// agents as processes, loopback, real lmdb): tokens and roles through the CLI, consent by CPR
// number, the gate at submission and on running work, the audit chain before and after one
// byte of it is changed, and a scan of every log line of every process for CPR numbers.
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../common/index.js';
import { cprShapedAround } from '../scheduler/testing/index.js';
import { DATA_FILE } from '../scheduler/store/index.js';
import { runCli, startGschedUp, type CliRun, type GschedUp } from './testing/index.js';

const CLUSTER = join(packageRoot(), 'scheduler', 'testing', 'cluster.small.json');
const CPRS = ['010203-1234', '1111111118'];

let live: GschedUp;
let admin: NodeJS.ProcessEnv;
const outputs: string[] = [];
const tok: Record<string, string> = {};

async function as(who: string | null, ...args: string[]): Promise<CliRun> {
  const r = await runCli(args, who === null ? admin : { ...admin, GSCHED_TOKEN: tok[who] ?? who });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const jobOf = async (id: string): Promise<{ state: string; reason: string; endReason: string | null }> => JSON.parse((await as(null, 'show', 'job', id, '--json')).stdout) as { state: string; reason: string; endReason: string | null };

beforeAll(async () => {
  live = await startGschedUp({ cluster: CLUSTER, timeScale: 0.001, args: ['--kernels', 'noop'] });
  outputs.push(live.banner);
  admin = { PATH: process.env.PATH, HOME: process.env.HOME, GSCHED_URL: live.httpUrl, GSCHED_STATE: live.state };
  for (const [name, role, account] of [['olga', 'consent-officer'], ['audrey', 'auditor'], ['rh-lab', 'submitter', 'rh-genetics'], ['cohort', 'submitter', 'research']] as const) {
    const r = await as(null, 'token', 'create', '--role', role, '--name', name, ...(account ? ['--account', account] : []), '--json');
    expect(r.code, r.stderr).toBe(0);
    tok[name] = (JSON.parse(r.stdout) as { token: string }).token;
  }
}, 90_000);

afterAll(async () => {
  await live?.stop();
});

// Each step runs several CLI processes: minutes on a loaded 2-core machine.
describe('security, tried as a new user would', { timeout: 180_000 }, () => {
  let patient = '';
  let researchJob = '';

  it('records consent by CPR number and answers with the pseudonym only', async () => {
    const r = await as('olga', 'consent', 'grant', '--cpr', CPRS[0] as string, '--document', 'consent-2026-0117');
    expect(r.code, r.stderr).toBe(0);
    patient = /^(p_[A-Za-z]{24}): granted$/m.exec(r.stdout)?.[1] ?? '';
    expect(patient).not.toBe('');
    expect((await as('olga', 'consent', 'grant', '--cpr', CPRS[1] as string, '--document', 'consent-2026-0118')).code).toBe(0);
    const shown = await as('audrey', 'consent', 'show', patient);
    expect(shown.stdout).toContain('written consent: consent-2026-0117, recorded by olga');
  });

  it('refuses what a role may not do, and a submitter cannot read or cancel another account\'s job', async () => {
    // Six modelled days are over eight wall minutes here: it still runs when the next step looks,
    // however slow the CLI processes between are.
    const mine = await as('cohort', 'submit', '-A', 'research', '-p', 'research', '--kernel', 'align', '--pseudonym', patient, '-n', '1', '--duration', '6-00:00:00', '-t', '7-00:00:00', '--parsable');
    expect(mine.code, mine.stderr).toBe(0);
    researchJob = mine.stdout.trim();
    expect((await as('rh-lab', 'show', 'job', researchJob)).code).toBe(1);
    const cancel = await as('rh-lab', 'cancel', researchJob);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/no job/);
    expect((await as('rh-lab', 'submit', '-A', 'research', '-p', 'research', '--duration', '1s')).stderr).toMatch(/may submit to rh-genetics, not to account research/);
    expect((await as('olga', 'drain', 'c1-n001')).stderr).toMatch(/role consent-officer may not/);
    expect((await as('rh-lab', 'audit', 'verify')).code).toBe(1);
    expect((await as('gst_not-a-token-0123456789', 'queue')).code).toBe(1);
  });

  it('stops a running research task within one pass when its patient restricts', async () => {
    await until('the research job to run', async () => ((await jobOf(researchJob)).state === 'RUNNING' ? true : undefined));
    const r = await as('olga', 'consent', 'restrict', '--pseudonym', patient, '--note', 'own treatment only');
    expect(r.code, r.stderr).toBe(0);
    // The pass after the event runs within milliseconds (the core's tests check it is the next
    // pass); here each look is a CLI process, seconds apart on a loaded machine.
    const held = await until('the task to stop', async () => {
      const j = await jobOf(researchJob);
      return j.state === 'PENDING' ? j : undefined;
    }, 20_000);
    expect(held.reason).toBe('ConsentHold');
    const stops = JSON.parse((await as('audrey', 'audit', 'show', '--pseudonym', patient, '--json')).stdout) as { action: string; actor: { role: string } }[];
    expect(stops.map((e) => e.action)).toEqual(expect.arrayContaining(['consent.change', 'job.submit', 'consent.admit', 'dispatch', 'consent.hold', 'consent.stop']));
  });

  it('refuses a research job on a restricted patient, naming the rule, with or without a declared purpose', async () => {
    for (const purpose of [[], ['--purpose', 'research']]) {
      const r = await as('cohort', 'submit', '-A', 'research', '-p', 'research', '--pseudonym', patient, '--duration', '1s', ...purpose);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/restricted their genetic data to their own treatment: research may not read it/);
    }
    const lie = await as(null, 'submit', '-A', 'research', '-p', 'research', '--pseudonym', patient, '--duration', '1s', '--purpose', 'treatment');
    expect(lie.stderr).toMatch(/purpose "treatment" contradicts partition "research"/);
    const noPatient = await as(null, 'submit', '-A', 'research', '-p', 'research', '--kernel', 'align', '--duration', '1s');
    expect(noPatient.stderr).toMatch(/reads patient data: name the pseudonyms/);
  });

  it('refuses CPR-shaped text in job fields and paths without repeating it', async () => {
    const r = await as(null, 'submit', '-A', 'rh-genetics', '--name', `wgs-${CPRS[0]}`, '--duration', '1s');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/name holds a CPR-shaped number/);
    const show = await as('audrey', 'consent', 'show', CPRS[1] as string);
    expect(show.code).not.toBe(0);
    expect(show.stderr).toMatch(/CPR-shaped/);
  });

  it('a submitter holds, updates and releases its own account\'s job as its owner, and finds no other account\'s', async () => {
    const own = await as('rh-lab', 'submit', '-A', 'rh-genetics', '--hold', '--duration', '1s', '--parsable');
    expect(own.code, own.stderr).toBe(0);
    const id = own.stdout.trim();
    const held = await as('rh-lab', 'hold', id);
    expect(held.stdout.trim(), held.stderr).toBe(`job ${id} held: PD JobHeldUser`);
    expect((await as('rh-lab', 'update', id, 'Nice=10')).code).toBe(0);
    const faster = await as('rh-lab', 'update', id, 'Nice=-10');
    expect(faster.stderr).toMatch(/only an operator may give a negative nice/);
    for (const verb of ['hold', 'release', 'cancel']) {
      const r = await as('cohort', verb, id);
      expect(r.code, verb).toBe(1);
      expect(r.stderr, verb).toMatch(new RegExp(`no job ${id}`));
    }
    expect((await as('rh-lab', 'release', id)).code).toBe(0);
  });

  it('gsched audit verify names the entry whose text had one byte flipped in the raw data file', async () => {
    const ok = await as('audrey', 'audit', 'verify');
    expect(ok.code, ok.stderr).toBe(0);
    const entries = JSON.parse((await as('audrey', 'audit', 'show', '--json')).stdout) as { seq: number; action: string; object: string }[];
    const target = entries.find((e) => e.action === 'token.create' && e.object.startsWith('token t_'));
    expect(target).toBeDefined();
    const { seq, object } = target as { seq: number; object: string };
    // Where the entry's text lies in the state folder's data file, beside the journal (lmdb keeps
    // no checksums of its own, and the audit entries are not framed: the chain checks them): at each
    // place the file holds it (old copies of rewritten pages stay behind in free space), flip
    // one byte of its object, and keep the flip where lmdb then reads a changed entry: one byte
    // of the live data changed, written with plain file I/O as someone with the files could.
    const file = join(live.state, DATA_FILE);
    const env = open({ path: file, readOnly: true });
    const db = env.openDB<string, number>({ name: 'audit', encoding: 'string' });
    const text = db.get(seq) as string;
    const needle = Buffer.from(`"object":${JSON.stringify(object)}`);
    const bytes = readFileSync(file);
    const fd = openSync(file, 'r+');
    let flipped: { at: number; was: number } | null = null;
    try {
      for (let at = bytes.indexOf(needle); at >= 0 && flipped === null; at = bytes.indexOf(needle, at + 1)) {
        const pos = at + needle.length - 2; // the last character of the token id
        const was = bytes[pos] as number;
        writeSync(fd, Buffer.from([was ^ 0x01]), 0, 1, pos);
        if (db.get(seq) !== text) flipped = { at: pos, was };
        else writeSync(fd, Buffer.from([was]), 0, 1, pos);
      }
      expect(flipped, `entry ${seq}'s text was not found in the live data of ${file}`).not.toBeNull();
      const bad = await as('audrey', 'audit', 'verify');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(new RegExp(`audit log broken at entry ${seq}: entry ${seq} does not match its hash: edited`));
    } finally {
      // Put the byte back: the chain verifies again, and the next step tampers its own way.
      if (flipped) writeSync(fd, Buffer.from([flipped.was]), 0, 1, flipped.at);
      closeSync(fd);
      await env.close();
    }
    expect((await as('audrey', 'audit', 'verify')).code).toBe(0);
  });

  it('gsched audit verify passes, then fails after one byte of the audit store is changed', async () => {
    const ok = await as('audrey', 'audit', 'verify');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^audit log intact: \d+ entries/);
    // Another process opens the same lmdb environment (lmdb is multi-process) and changes one
    // character of entry 3 as stored: what someone with the files could do.
    const env = open({ path: join(live.state, DATA_FILE) });
    const db = env.openDB<string, number>({ name: 'audit', encoding: 'string' });
    const text = db.get(3) as string;
    const at = text.indexOf('"object":"') + 10;
    await db.put(3, `${text.slice(0, at)}${text[at] === 'X' ? 'Y' : 'X'}${text.slice(at + 1)}`);
    await env.close();
    const bad = await as('audrey', 'audit', 'verify');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/audit log broken at entry 3: entry 3 does not match its hash: edited/);
  });

  it('recognises a CPR number however it stands, but not ten digits inside a hex digest', () => {
    for (const cpr of ['0101901234', '010190-1234', '{"cpr":"311299-9999"}', 'subject 2902921111,']) expect(cprShapedAround(cpr), cpr).not.toBeNull();
    for (const not of ['"hash":"9f0312851234cd"', 'a1b2010190123', '1796185554791', '"reqId":"ea09de93-54ea-49ff-a2e2-3103204558d7"']) expect(cprShapedAround(not), not).toBeNull();
  });

  it('writes no CPR number in any log line of any process, nor in any output', async () => {
    const logs = join(live.state, 'logs');
    const files = readdirSync(logs);
    expect(files.sort()).toEqual(['agent-c1.log', 'agent-c2.log', 'agent-c3.log', 'scheduler.log']);
    let lines = 0;
    const found: string[] = [];
    for (const f of files) {
      for (const line of readFileSync(join(logs, f), 'utf8').split('\n')) {
        if (line === '') continue;
        lines++;
        const hit = cprShapedAround(line);
        if (hit !== null) found.push(`${f}: ${hit}`);
      }
    }
    for (const o of outputs) {
      const hit = cprShapedAround(o);
      if (hit !== null) found.push(`output: ${hit}`);
    }
    expect(found).toEqual([]);
    expect(lines).toBeGreaterThan(10);
    // The scan saw requests that carried CPR numbers in their path: each was refused, and its
    // line (refusals are logged at info, every request only at debug) has the number scrubbed.
    const scheduler = readFileSync(join(logs, 'scheduler.log'), 'utf8');
    const refused = scheduler.split('\n').filter((l) => l.includes('"msg":"request refused"'));
    expect(refused.some((l) => l.includes('[CPR]') && l.includes('"statusCode":400'))).toBe(true);
  });
});
