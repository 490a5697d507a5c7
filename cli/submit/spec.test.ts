import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { buildJobSpec, parseArraySpec, parseDependencySpec, parseDurationMs } from './spec.js';

const ctx = { env: { USER: 'alice' }, defaultName: 'job' };

function refusal(fn: () => unknown): CliError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
}

describe('parseDependencySpec', () => {
  it('reads kinds, several ids per kind and singleton', () => {
    expect(parseDependencySpec('afterok:12,afterany:13')).toEqual({
      dependencies: [
        { kind: 'afterok', jobId: 12 },
        { kind: 'afterany', jobId: 13 },
      ],
      singleton: false,
      any: false,
    });
    expect(parseDependencySpec('afternotok:5:6')).toEqual({
      dependencies: [
        { kind: 'afternotok', jobId: 5 },
        { kind: 'afternotok', jobId: 6 },
      ],
      singleton: false,
      any: false,
    });
    expect(parseDependencySpec('singleton')).toEqual({ dependencies: [], singleton: true, any: false });
    expect(parseDependencySpec('afterok:1,singleton').singleton).toBe(true);
  });

  it('reads after, aftercorr and the ? (any-of) separator', () => {
    expect(parseDependencySpec('after:12?aftercorr:13')).toEqual({
      dependencies: [
        { kind: 'after', jobId: 12 },
        { kind: 'aftercorr', jobId: 13 },
      ],
      singleton: false,
      any: true,
    });
    expect(parseDependencySpec('after:4').any).toBe(false);
  });

  it.each(['afterok', 'afterok:', 'before:12', 'afterok:x', 'afterok:12?afterany:3,afterok:4', 'singleton?afterok:3', 'afterok:0', 'afterok:120_3', ''])(
    'refuses %j with exit 2 naming the flag',
    (text) => {
      const e = refusal(() => parseDependencySpec(text));
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(/^--dependency /);
    },
  );
});

describe('parseArraySpec', () => {
  it('reads ranges, lists and the concurrency limit', () => {
    expect(parseArraySpec('0-9%2')).toEqual({ indices: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], limit: 2 });
    expect(parseArraySpec('1,3,5-7')).toEqual({ indices: [1, 3, 5, 6, 7], limit: null });
    expect(parseArraySpec('4,4,2')).toEqual({ indices: [2, 4], limit: null });
  });

  it('takes a :step, as sbatch and the scheduler do', () => {
    expect(parseArraySpec('0-20:5')).toEqual({ indices: [0, 5, 10, 15, 20], limit: null });
    expect(parseArraySpec('1-7:3%2')).toEqual({ indices: [1, 4, 7], limit: 2 });
  });

  it.each(['', '9-0', 'a-b', '1-3%0', '1--3', '0-9%', '%2', '0-2000000', '1;2'])('refuses %j', (text) => {
    const e = refusal(() => parseArraySpec(text));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/^--array /);
  });
});

describe('buildJobSpec: commands (the exec kernel)', () => {
  const withScript = (script: string, flags: Record<string, string> = {}) =>
    buildJobSpec({ account: 'rh-genetics', ...flags }, { ...ctx, script, cwd: '/home/alice/runs' });

  it('runs a script that holds commands, whole, in the submit directory', () => {
    const script = '#!/bin/bash\n#GSCHED --cores 2\necho "$GSCHED_JOB_ID"\n';
    const spec = withScript(script);
    expect(spec.command).toEqual({ script, chdir: '/home/alice/runs', submitDir: '/home/alice/runs' });
    expect(spec.tasks[0]?.kernel).toBe('exec');
  });

  it('keeps a script of directives only a simulated job', () => {
    const spec = withScript('#!/bin/bash\n#GSCHED --cores 2\n\n# just a comment\n');
    expect(spec.command).toBeUndefined();
    expect(spec.tasks[0]?.kernel).toBeUndefined();
  });

  it('wraps --wrap in a /bin/sh script and resolves -o, -e and -D', () => {
    const spec = buildJobSpec({ account: 'rh-genetics', wrap: 'hostname', output: 'log/%x-%j.out', error: '%j.err', chdir: 'sub' }, { ...ctx, cwd: '/work' });
    expect(spec.command).toEqual({ script: '#!/bin/sh\n# This script was created by gsched submit --wrap.\nhostname\n', chdir: '/work/sub', submitDir: '/work', output: 'log/%x-%j.out', error: '%j.err' });
  });

  it.each([
    [{ wrap: 'x' }, 'echo hi\n', /--wrap and a script file are mutually exclusive/],
    [{ wrap: '  ' }, undefined, /--wrap: expected a command line/],
    [{ output: 'o.txt' }, undefined, /--output applies to a job that runs a command/],
    [{ chdir: '/tmp' }, '#GSCHED -c 1\n', /--chdir applies to a job that runs a command/],
    [{ kernel: 'align' }, 'run-it\n', /--kernel align: a job with a command runs it/],
  ])('refuses %j with script %j', (flags, script, message) => {
    const e = refusal(() => buildJobSpec({ account: 'rh-genetics', ...flags }, { ...ctx, ...(script === undefined ? {} : { script }) }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(message);
  });
});

describe('parseDurationMs', () => {
  it('reads ms, s and Slurm times', () => {
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('5s')).toBe(5000);
    expect(parseDurationMs('1:30')).toBe(90_000);
    expect(refusal(() => parseDurationMs('soon')).exitCode).toBe(2);
  });
});

describe('buildJobSpec', () => {
  it('fills the documented defaults', () => {
    // No owner (the scheduler makes it the token's identity) and no purpose (it follows the
    // partition and account).
    expect(buildJobSpec({ account: 'rh-genetics' }, ctx)).toEqual({
      name: 'job',
      account: 'rh-genetics',
      partition: 'clinical',
      qos: 'normal',
      pseudonyms: [],
      tasks: [{ cores: 1, memMb: 1000 }],
    });
  });

  it('takes the account from GSCHED_ACCOUNT and refuses to guess one', () => {
    expect(buildJobSpec({}, { ...ctx, env: { USER: 'bo', GSCHED_ACCOUNT: 'auh-oncology' } }).account).toBe('auh-oncology');
    const e = refusal(() => buildJobSpec({}, ctx));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('--account');
  });

  it('builds every task alike from the resource flags', () => {
    const spec = buildJobSpec(
      {
        account: 'research-ngc',
        name: 'wgs',
        partition: 'research',
        qos: 'low',
        purpose: 'research',
        pseudonym: ['P-7F3A', 'P-22C1'],
        cores: '4',
        mem: '4G',
        time: '2-12:00',
        tasks: '3',
        array: '0-9%2',
        dependency: 'afterok:12,singleton',
        owner: 'ngc-pipeline',
        duration: '5s',
        kernel: 'align',
        class: 'wgs-trio',
      },
      ctx,
    );
    expect(spec.tasks).toHaveLength(3);
    for (const t of spec.tasks) {
      expect(t).toEqual({ cores: 4, memMb: 4096, timeLimitMs: 2 * 86_400_000 + 12 * 3_600_000, durationMs: 5000, kernel: 'align' });
    }
    expect(spec).toMatchObject({
      name: 'wgs',
      owner: 'ngc-pipeline',
      partition: 'research',
      qos: 'low',
      purpose: 'research',
      pseudonyms: ['P-7F3A', 'P-22C1'],
      array: '0-9%2',
      dependencies: [{ kind: 'afterok', jobId: 12 }],
      singleton: true,
      class: 'wgs-trio',
    });
  });

  it.each([
    [{ mem: '4X' }, '--mem 4X: expected a size like 4G or 500M'],
    [{ time: '4h' }, '--time 4h: expected a time limit like 30, 30:00, 4:00:00, 2-00 or 2-12:00'],
    [{ cores: '0' }, '--cores 0: expected a whole number from 1 to 4096'],
    [{ cores: '2.5' }, '--cores 2.5: expected a whole number from 1 to 4096'],
    [{ tasks: 'many' }, '--tasks many: expected a whole number from 1 to 100000'],
    [{ purpose: 'fun' }, '--purpose fun: expected treatment or research'],
  ])('refuses %j with one clear line', (flags, message) => {
    const e = refusal(() => buildJobSpec({ account: 'rh-genetics', ...flags }, ctx));
    expect(e.exitCode).toBe(2);
    expect(e.message).toBe(message);
  });

  it('refuses a CPR number as a pseudonym without echoing it', () => {
    for (const cpr of ['0101901234', '010190-1234']) {
      const e = refusal(() => buildJobSpec({ account: 'rh-genetics', pseudonym: [cpr] }, ctx));
      expect(e.exitCode).toBe(2);
      expect(e.message).not.toContain(cpr);
      expect(e.message).not.toContain('1234');
    }
  });
});
