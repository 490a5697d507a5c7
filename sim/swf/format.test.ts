import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SwfError } from '../errors.js';
import { formatSwf, parseSwf, readSwfFile } from './format.js';

const HEADER = '; Version: 2.2\n; Computer: Test\n; MaxProcs: 8\n; MaxNodes: 4\n;   continuation text\n';
const LINE = (n: number, submit: number, run: number, procs: number, req: number): string =>
  `${n} ${submit} -1 ${run} ${procs} -1 -1 ${procs} ${req} -1 1 1 1 -1 -1 -1 -1 -1`;

describe('parseSwf', () => {
  it('reads header comments into an object and jobs into 18 named fields', () => {
    const t = parseSwf(`${HEADER}${LINE(1, 0, 10, 2, 60)}\n\n${LINE(2, 5, 3.5, 4, 60)}\n`, 'x.swf');
    expect(t.header.maxProcs).toBe(8);
    expect(t.header.maxNodes).toBe(4);
    expect(t.header.fields.Computer).toBe('Test');
    expect(t.header.comments).toHaveLength(5);
    expect(t.jobs).toHaveLength(2);
    expect(t.jobs[1]).toMatchObject({ jobNumber: 2, submitTime: 5, runTime: 3.5, allocatedProcs: 4, requestedTime: 60, line: 8 });
  });

  it('reports a line with the wrong number of fields by its line number', () => {
    const text = `${HEADER}${LINE(1, 0, 10, 2, 60)}\n1 2 3\n`;
    const err = (() => {
      try {
        parseSwf(text, 'bad.swf');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SwfError);
    expect(err).toMatchObject({ file: 'bad.swf', line: 7, what: 'has 3 fields, expected 18' });
  });

  it('reports a non-numeric field, naming it', () => {
    expect(() => parseSwf(`${LINE(1, 0, 10, 2, 60).replace(' 10 ', ' ten ')}\n`, 'f.swf')).toThrow('f.swf:1: field 4 (runTime) is "ten", expected a number');
    expect(() => parseSwf('; MaxProcs: lots\n', 'h.swf')).toThrow('h.swf:1: header "MaxProcs" is "lots"');
  });

  it('round-trips through formatSwf', () => {
    const t = parseSwf(`${HEADER}${LINE(1, 0, 10, 2, 60)}\n${LINE(2, 5, 3, 4, 60)}\n`);
    const again = parseSwf(formatSwf(t));
    expect(again.jobs.map(({ line: _l, ...j }) => j)).toEqual(t.jobs.map(({ line: _l, ...j }) => j));
    expect(again.header.maxProcs).toBe(8);
  });

  it('names a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'swf-'));
    expect(() => readSwfFile(join(dir, 'none.swf'))).toThrow(/none\.swf: no such file/);
    writeFileSync(join(dir, 'ok.swf'), `${HEADER}${LINE(1, 0, 10, 2, 60)}\n`);
    expect(readSwfFile(join(dir, 'ok.swf')).jobs).toHaveLength(1);
  });
});
