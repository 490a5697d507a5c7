import { describe, expect, it } from 'vitest';
import type { TaskView } from '../../scheduler/core/index.js';
import type { JobDetail } from '../client.js';
import { fakeJob } from '../testing/index.js';
import { dagLine, formatInstant, formatNumber, showJob } from './show.js';

const T0 = Date.UTC(2026, 10, 26, 9, 0, 0);

function runningJob(): JobDetail {
  const j = fakeJob(
    42,
    { name: 'wgs', owner: 'alice', account: 'rh-genetics', partition: 'clinical', qos: 'urgent', purpose: 'treatment', pseudonyms: ['P-1'], tasks: [{ cores: 8, memMb: 32768 }, { cores: 8, memMb: 32768, timeLimitMs: 3_600_000 }], dependencies: [{ kind: 'afterok', jobId: 7 }] },
    T0,
  );
  j.state = 'RUNNING';
  j.reason = 'None';
  j.queuePosition = null;
  j.priority = { age: 12.5, fairshare: 1500, qos: 10000, partition: 4000, size: 1, total: 15513.5 };
  j.nodes = ['c1-n002', 'c1-n001'];
  const [a, b] = j.tasks;
  if (!a || !b) throw new Error('fixture');
  Object.assign(a, { state: 'COMPLETED', node: 'c1-n001', startedAt: T0 + 60_000, endedAt: T0 + 120_000, attempts: 2 });
  Object.assign(b, { state: 'RUNNING', node: 'c1-n002', startedAt: T0 + 60_000, after: [0] });
  return {
    ...j,
    results: [
      { taskId: a.id, attempt: 1, node: 'c1-n001', outcome: 'failed', cpuMs: 5, wallMs: 5, kernel: 'align', summary: null, error: 'oom' },
      { taskId: a.id, attempt: 2, node: 'c1-n001', outcome: 'completed', cpuMs: 9, wallMs: 9, kernel: 'align', summary: null },
    ],
  };
}

describe('showJob', () => {
  it('prints scontrol-style key=value lines with the priority breakdown and each task', () => {
    const out = showJob(runningJob(), T0 + 5 * 60_000);
    expect(out.split('\n')).toEqual([
      'JobId=42 JobName=wgs',
      '   Owner=alice Account=rh-genetics Partition=clinical QOS=urgent Purpose=treatment',
      '   JobState=RUNNING ST=R Reason=None QueuePosition=(null)',
      '   Priority=15513.5 Age=12.5 Fairshare=1500 QOSFactor=10000 PartitionFactor=4000 Size=1',
      '   Dependency=afterok:7 Pseudonyms=1',
      '   SubmitTime=2026-11-26T09:00:00 StartTime=2026-11-26T09:01:00 EndTime=Unknown RunTime=4:00',
      '   NumTasks=2 NumCPUs=16 NodeList=c1-n[001-002]',
      '   Dag=t0(1/1)->t1(0/1)',
      '   Task[0]=t0 Id=4200 State=COMPLETED Node=c1-n001 NumCPUs=8 Mem=32G TimeLimit=1-00:00:00 Attempts=2 Requeues=0 StartTime=2026-11-26T09:01:00 EndTime=2026-11-26T09:02:00 Result=completed Kernel=align WallTime=9ms',
      '   Task[1]=t1 Id=4201 State=RUNNING Node=c1-n002 NumCPUs=8 Mem=32G TimeLimit=1:00:00 After=0 Attempts=0 Requeues=0 StartTime=2026-11-26T09:01:00 EndTime=Unknown',
      '',
    ]);
  });

  it('never prints pseudonyms themselves, only how many', () => {
    expect(showJob(runningJob(), T0)).not.toContain('P-1');
  });
});

describe('formatInstant and formatNumber', () => {
  it('prints epoch instants in UTC and small clocks as offsets', () => {
    expect(formatInstant(null)).toBe('Unknown');
    expect(formatInstant(T0)).toBe('2026-11-26T09:00:00');
    expect(formatInstant(90_000)).toBe('+1:30');
  });
  it('keeps integers and trims fractions to four places', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(0.5)).toBe('0.5');
  });
});

describe('dagLine', () => {
  const task = (index: number, name: string, after: number[], state: TaskView['state'] = 'PENDING'): TaskView => ({
    id: 100 + index, index, name, state, cores: 1, memMb: 1, timeLimitMs: 1, after, node: null, startedAt: null, endedAt: null,
    attempts: 0, preemptions: 0, requeues: 0, durationMs: null, kernel: null,
  });

  it('groups shards by depth and name, with completed/total per stage', () => {
    const tasks = [
      task(0, 'qc', [], 'COMPLETED'),
      task(1, 'align-00', [0], 'COMPLETED'),
      task(2, 'align-01', [0], 'RUNNING'),
      task(3, 'markdup', [1, 2]),
      task(4, 'somatic-00', [3]),
      task(5, 'sv', [3]),
      task(6, 'gather', [4, 5]),
    ];
    expect(dagLine(tasks)).toBe('qc(1/1)->align(1/2)->markdup(0/1)->somatic(0/1)+sv(0/1)->gather(0/1)');
  });

  it('is null for tasks without dependencies', () => {
    expect(dagLine([task(0, 'a', []), task(1, 'b', [])])).toBeNull();
  });
});
