import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { parseDirectives, splitWords } from './directives.js';

describe('parseDirectives', () => {
  it('reads #GSCHED lines from the leading comment block only', () => {
    const script = [
      '#!/bin/bash',
      '# an ordinary comment',
      '#GSCHED --name=align --account rh-genetics',
      '',
      '#GSCHED -c 4 --mem 8G   # trailing comment',
      '# GSCHED --qos urgent',
      '#SBATCH --qos low',
      'echo start',
      '#GSCHED --tasks 99',
    ].join('\n');
    expect(parseDirectives(script)).toEqual([
      { line: 3, args: ['--name=align', '--account', 'rh-genetics'] },
      { line: 5, args: ['-c', '4', '--mem', '8G'] },
    ]);
  });

  it('copes with CRLF line ends and an empty script', () => {
    expect(parseDirectives('#GSCHED -n 2\r\n#GSCHED -c 1\r\n')).toEqual([
      { line: 1, args: ['-n', '2'] },
      { line: 2, args: ['-c', '1'] },
    ]);
    expect(parseDirectives('')).toEqual([]);
  });
});

describe('splitWords', () => {
  it('honours quotes and backslashes', () => {
    expect(splitWords(`--name "trio  run" --class 'a b' x\\ y`)).toEqual(['--name', 'trio  run', '--class', 'a b', 'x y']);
    expect(splitWords(`--name="say \\"hi\\""`)).toEqual(['--name=say "hi"']);
    expect(splitWords(`--name a#b`)).toEqual(['--name', 'a#b']);
    expect(splitWords(`--name '#x'`)).toEqual(['--name', '#x']);
  });

  it('refuses an unterminated quote', () => {
    expect(() => splitWords(`--name "oops`, 4)).toThrow(CliError);
    expect(() => splitWords(`--name "oops`, 4)).toThrow(/line 4/);
  });
});
