// The environment a real command gets, and the refusals of a submission's command.
import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../core/index.js';
import { testJob } from '../testing/index.js';
import { CommandBook, commandProblem } from './commands.js';

const withCommand = (command: JobSpec['command']): JobSpec => testJob([{ cores: 1 }], { command }) as unknown as JobSpec;

describe('CommandBook.execFor', () => {
  it('says where the job was submitted from, apart from where it runs (-D), as Slurm does', () => {
    const book = new CommandBook();
    book.noteSubmit([7], withCommand({ script: 'hostname', chdir: '/work/sub', submitDir: '/work' }), null);
    const exec = book.execFor(7, 0, 60_000);
    expect(exec?.chdir).toBe('/work/sub');
    expect(exec?.env).toMatchObject({ GSCHED_SUBMIT_DIR: '/work', SLURM_SUBMIT_DIR: '/work', GSCHED_JOB_ID: '7', GSCHED_TIME_LIMIT_S: '60' });
  });

  it('falls back to the working directory for a command without one (journals written before the field)', () => {
    const book = new CommandBook();
    book.noteSubmit([8], withCommand({ script: 'hostname', chdir: '/work/sub' }), null);
    expect(book.execFor(8, 0, 1000)?.env).toMatchObject({ GSCHED_SUBMIT_DIR: '/work/sub', SLURM_SUBMIT_DIR: '/work/sub' });
  });
});

describe('commandProblem', () => {
  it('refuses a relative submit directory, naming the field', () => {
    expect(commandProblem(withCommand({ script: 'hostname', chdir: '/work', submitDir: 'work' }))).toEqual({ field: 'command.submitDir', message: 'the submit directory must be an absolute path, got "work"' });
    expect(commandProblem(withCommand({ script: 'hostname', chdir: '/work', submitDir: '/home/a' }))).toBeNull();
  });
});
