import { describe, expect, it } from 'vitest';
import type { JobView } from '../../scheduler/core/index.js';
import { CliError } from '../errors.js';
import { fakeJob } from '../testing/index.js';
import type { ForecastEntry } from '../client.js';
import { DEFAULT_QUEUE_FORMAT, parseQueueFormat, renderForecast, renderQueue } from './queue.js';

const spec = { name: 'job', owner: 'o', account: 'rh-genetics', partition: 'clinical', qos: 'normal', purpose: 'treatment' as const, pseudonyms: [], tasks: [{ cores: 1, memMb: 1 }, { cores: 1, memMb: 1 }] };
const NOW = 1_800_000_000_000;

function job(id: number, over: Partial<JobView>): JobView {
  return { ...fakeJob(id, spec, NOW - 3_600_000), ...over };
}

describe('renderQueue', () => {
  const jobs = [
    job(3, { state: 'PENDING', reason: 'Resources', queuePosition: 2, name: 'second-in-line' }),
    job(1, { state: 'RUNNING', reason: 'None', queuePosition: null, startedAt: NOW - 65_000, nodes: ['c1-n001', 'c1-n002'] }),
    job(2, { state: 'PENDING', reason: 'Priority', queuePosition: 1 }),
    job(4, { state: 'COMPLETED', reason: 'None', queuePosition: null, startedAt: NOW - 7_200_000, endedAt: NOW - 3_600_000, nodes: ['c2-n009'] }),
  ];

  it('lists running, then pending by position, then finished, with squeue codes and times', () => {
    const out = renderQueue(jobs, parseQueueFormat(DEFAULT_QUEUE_FORMAT), NOW, null);
    expect(out.trimEnd().split('\n').map((l) => l.trim().split(/\s+/))).toEqual([
      ['JOBID', 'NAME', 'ACCOUNT', 'PARTITION', 'ST', 'REASON', 'POS', 'TIME', 'NODES'],
      ['1', 'job', 'rh-genetics', 'clinical', 'R', '1:05', 'c1-n[001-002]'],
      ['2', 'job', 'rh-genetics', 'clinical', 'PD', 'Priority', '1', '1:00:00', '2'],
      ['3', 'second-in-line', 'rh-genetics', 'clinical', 'PD', 'Resources', '2', '1:00:00', '2'],
      ['4', 'job', 'rh-genetics', 'clinical', 'CD', '1:00:00', 'c2-n009'],
    ]);
  });

  it('fits the width by cutting names, keeping ids and states whole', () => {
    const long = job(5, { state: 'PENDING', reason: 'Priority', queuePosition: 3, name: 'a-very-long-pipeline-name-for-a-trio-exome' });
    const out = renderQueue([long], parseQueueFormat(DEFAULT_QUEUE_FORMAT), NOW, 70);
    for (const line of out.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(70);
    // The name gives way first; the account stays whole.
    expect(out).toMatch(/ a-v\S*… /);
    expect(out).toContain(' rh-genetics ');
    expect(out).toMatch(/^\s*5\s/m);
    expect(out).toContain('PD');
  });

  it('accepts any case and order of known columns, and refuses unknown ones', () => {
    expect(parseQueueFormat('st,JobId,owner').map((c) => c.header)).toEqual(['ST', 'JOBID', 'OWNER']);
    expect(() => parseQueueFormat('JOBID,,ST')).toThrow(CliError);
  });
});

describe('renderForecast (queue --start)', () => {
  const H = 3_600_000;
  const entry = (id: number, over: Partial<ForecastEntry>): ForecastEntry => ({ id, displayId: String(id), name: `a${id}`, account: 'rh-genetics', class: 'exome', qos: 'normal', state: 'PENDING', submittedAt: NOW - H, expectedStart: NOW + H, expectedEnd: NOW + 3 * H, target: null, ...over });

  it('shows expected start and end, the time to the end, and an urgent analysis’s 8 h verdict', () => {
    const out = renderForecast(
      {
        now: NOW,
        until: NOW + 10 * H,
        complete: true,
        jobs: [
          entry(1, { qos: 'urgent', state: 'RUNNING', expectedStart: NOW - H, expectedEnd: NOW + 5 * H, target: { deadline: NOW + 7 * H, met: true } }),
          entry(2, { qos: 'urgent', target: { deadline: NOW + 2 * H, met: false } }),
          entry(3, {}),
        ],
      },
      null,
    );
    const rows = out.trimEnd().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual(['JOBID', 'NAME', 'ACCOUNT', 'QOS', 'ST', 'START_TIME', 'END_TIME', 'IN', 'TARGET_8H']);
    expect(rows[1]).toEqual(['1', 'a1', 'rh-genetics', 'urgent', 'R', '2027-01-15T07:00:00', '2027-01-15T13:00:00', '5:00:00', 'met']);
    expect(rows[2]?.at(-1)).toBe('MISSED');
    expect(rows[3]).toHaveLength(8);
  });

  it('marks what lies beyond a cut-off forecast', () => {
    const out = renderForecast({ now: NOW, until: NOW + H, complete: false, jobs: [entry(4, { expectedStart: null, expectedEnd: null, qos: 'urgent', target: { deadline: NOW + 7 * H, met: null } })] }, null);
    expect(out).toMatch(/N\/A\s+N\/A\s+\?/);
    expect(out).toMatch(/forecast cut off at 2027-01-15T09:00:00/);
  });
});
