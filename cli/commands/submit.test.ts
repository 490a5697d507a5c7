import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { flagsFromScript, submittedMessage } from './submit.js';

describe('flagsFromScript', () => {
  it('accepts the same long and short options as the command line', () => {
    const script = [
      '#!/bin/bash',
      '#GSCHED -J trio --account=rh-genetics',
      '#GSCHED -c 8 --mem=32G -t 4:00:00',
      '#GSCHED --pseudonym P-1 --pseudonym P-2',
      '#GSCHED --pseudonym P-3',
      '#GSCHED -a 0-3%2 -d afterok:7',
      'run-pipeline',
    ].join('\n');
    expect(flagsFromScript(script, 'trio.sh')).toEqual({
      name: 'trio',
      account: 'rh-genetics',
      cores: '8',
      mem: '32G',
      time: '4:00:00',
      pseudonym: ['P-1', 'P-2', 'P-3'],
      array: '0-3%2',
      dependency: 'afterok:7',
    });
  });

  it('lets later lines override earlier ones', () => {
    expect(flagsFromScript('#GSCHED -c 2\n#GSCHED -c 4\n', 's.sh').cores).toBe('4');
  });

  it('names the file and line of an unknown option', () => {
    let caught: unknown;
    try {
      flagsFromScript('#!/bin/sh\n#GSCHED --cores 2\n#GSCHED --gpus 1\n', 'job.sh');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(2);
    expect((caught as CliError).message).toMatch(/^job\.sh line 3: #GSCHED unknown option '--gpus'/);
  });

  it('refuses stray words', () => {
    expect(() => flagsFromScript('#GSCHED --cores 2 extra\n', 'x.sh')).toThrow(/x\.sh line 1/);
  });
});

describe('flagsFromScript round trip', () => {
  // Single-quote a word for sh: close, escaped quote, reopen.
  const quote = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;

  it('reads back any name, class and pseudonyms written with sh quoting', () => {
    const word = fc.string({ minLength: 1, maxLength: 20 }).filter((w) => !/[\r\n]/.test(w));
    fc.assert(
      fc.property(word, word, fc.array(word, { minLength: 1, maxLength: 3 }), (name, label, pseudonyms) => {
        const script = [
          '#!/bin/sh',
          `#GSCHED --name ${quote(name)} --class=${quote(label)}`,
          ...pseudonyms.map((p) => `#GSCHED --pseudonym ${quote(p)}`),
          'true',
        ].join('\n');
        expect(flagsFromScript(script, 'x.sh')).toEqual({ name, class: label, pseudonym: pseudonyms });
      }),
    );
  });
});

describe('submittedMessage', () => {
  it('speaks like sbatch', () => {
    expect(submittedMessage({ jobIds: [123], displayIds: ['123'] }, false)).toBe('Submitted job 123');
    const ids = Array.from({ length: 10 }, (_, i) => `120_${i}`);
    expect(submittedMessage({ jobIds: ids.map((_, i) => 120 + i), displayIds: ids }, true)).toBe('Submitted array job 120 (120_0..120_9)');
  });
});
