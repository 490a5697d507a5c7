// gsched analysis submit, run submit and run watch (the compiled CLI) against `gsched up` on
// loopback: a template becomes a job whose DAG `show job` prints, run markers are posted once
// and moved aside, and bad input exits 2 naming what was wrong.
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../common/index.js';
import { runCli, startGschedUp, type CliRun, type GschedUp } from '../testing/index.js';

const CLUSTER = join(packageRoot(), 'scheduler', 'testing', 'cluster.small.json');

let live: GschedUp;
let env: NodeJS.ProcessEnv;
const drop = mkdtempSync(join(tmpdir(), 'gsched-runs-'));
const gsched = (...args: string[]): Promise<CliRun> => runCli(args, env);

async function consent(pseudonym: string): Promise<void> {
  const token = readFileSync(join(live.state, 'api-token'), 'utf8').trim();
  const res = await fetch(`${live.httpUrl}/api/v1/consent`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pseudonym, status: 'granted' }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  live = await startGschedUp({ cluster: CLUSTER, timeScale: 1e-4 });
  env = { PATH: process.env.PATH, HOME: process.env.HOME, GSCHED_URL: live.httpUrl, GSCHED_STATE: live.state };
}, 60_000);

afterAll(async () => {
  await live?.stop();
  rmSync(drop, { recursive: true, force: true });
});

describe('gsched analysis and run', () => {
  it('analysis submit: a panel from its template, its DAG in show job', async () => {
    await consent('PX1');
    const sub = await gsched('analysis', 'submit', '--class', 'panel', '--pseudonyms', 'PX1', '--json');
    expect(sub.stderr).toBe('');
    expect(sub.code).toBe(0);
    const id = String((JSON.parse(sub.stdout) as { displayIds: string[] }).displayIds[0]);
    const show = await gsched('show', 'job', id);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Class=panel/);
    expect(show.stdout).toMatch(/Dag=qc\(\d\/1\)->align\(\d\/1\)->markdup\(\d\/1\)->call\(\d\/1\)->gather\(\d\/1\)/);
  });

  it('analysis submit: refusals and bad flags name what is wrong', async () => {
    const noConsent = await gsched('analysis', 'submit', '--class', 'panel', '--pseudonyms', 'PNOBODY');
    expect(noConsent.code).toBe(2);
    expect(noConsent.stderr).toMatch(/consent/);
    const unknown = await gsched('analysis', 'submit', '--class', 'wgs-quad', '--pseudonyms', 'PX1');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown analysis class "wgs-quad"; known: wgs-single/);
    const empty = await gsched('analysis', 'submit', '--class', 'panel', '--pseudonyms', 'PX1,,PX2');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--pseudonyms/);
    const lab = await gsched('analysis', 'submit', '--class', 'panel', '--pseudonyms', 'PX1', '--lab', 'north');
    expect(lab.code).toBe(2);
  });

  it('run watch --once: posts each marker once, renames it .done or .rejected', async () => {
    await consent('PW1');
    await consent('PW2');
    const marker = { run: 'NOVA-0042', lab: 'east', samples: [{ pseudonym: 'PW1', class: 'panel' }, { pseudonym: 'PW2', class: 'panel' }, { pseudonym: 'PW-NONE', class: 'panel' }] };
    writeFileSync(join(drop, 'NOVA-0042.json'), JSON.stringify(marker));
    writeFileSync(join(drop, 'broken.json'), '{"run": "NOVA-0043", "lab"');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(drop, 'broken.json'), old, old);
    writeFileSync(join(drop, 'bad-lab.json'), JSON.stringify({ ...marker, run: 'NOVA-0044', lab: 'north' }));
    utimesSync(join(drop, 'bad-lab.json'), old, old);

    const r = await gsched('run', 'watch', drop, '--once');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NOVA-0042\.json: Run NOVA-0042 \(east\): 2 analyses submitted, 1 refused/);
    expect(r.stdout).toMatch(/sample 3 \(panel\): CONSENT_REQUIRED/);
    expect(r.stderr).toMatch(/broken\.json: refused: .*not JSON/);
    expect(r.stderr).toMatch(/bad-lab\.json: refused: .*"lab" must be "east" or "west"/);
    expect(existsSync(join(drop, 'NOVA-0042.json.done'))).toBe(true);
    expect(existsSync(join(drop, 'broken.json.rejected'))).toBe(true);
    expect(existsSync(join(drop, 'NOVA-0042.json'))).toBe(false);

    // The same marker again (a lab re-sending it): taken in once.
    writeFileSync(join(drop, 'NOVA-0042.json'), JSON.stringify(marker));
    const again = await gsched('run', 'submit', join(drop, 'NOVA-0042.json'), '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ run: 'NOVA-0042', created: false, submitted: 2, refused: 1 });
  });

  it('run watch: a folder that is not there is a usage error', async () => {
    const r = await gsched('run', 'watch', join(drop, 'missing'), '--once');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot watch/);
  });
});
