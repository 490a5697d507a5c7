import { describe, expect, it } from 'vitest';
import { clip, outputWidth, renderTable, type Column } from './table.js';

const cols: Column[] = [{ header: 'JOBID', align: 'right' }, { header: 'NAME', shrink: true }, { header: 'ST' }];

describe('renderTable', () => {
  it('sizes columns to content and aligns them', () => {
    const out = renderTable(cols, [
      ['7', 'align', 'R'],
      ['1234', 'x', 'PD'],
    ]);
    expect(out).toBe(['JOBID  NAME   ST', '    7  align  R', ' 1234  x      PD', ''].join('\n'));
  });

  it('shrinks the shrinkable columns to fit the width and marks cut cells', () => {
    const long = 'a-very-long-job-name-that-goes-on';
    const out = renderTable(cols, [['1', long, 'R']], { width: 24 });
    const lines = out.trimEnd().split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(24);
    expect(lines[1]).toContain('…');
    expect(lines[1]).toContain(long.slice(0, 5));
    expect(lines[1]?.endsWith('R')).toBe(true);
  });

  it('closes the gaps to one space when cutting alone does not fit', () => {
    const out = renderTable(cols, [['123456789', 'name-that-is-long', 'PD']], { width: 17 });
    expect(out.split('\n')[1]).toBe('123456789 nam… PD');
  });

  it('never cuts columns that may not shrink, even when the width is too small', () => {
    const out = renderTable(cols, [['123456789', 'name', 'PD']], { width: 5 });
    expect(out).toContain('123456789');
    expect(out).toContain('PD');
  });

  it('renders just the header for no rows', () => {
    expect(renderTable(cols, [])).toBe('JOBID  NAME  ST\n');
  });
});

describe('clip', () => {
  it('keeps short text and cuts long text to the width', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abcdef', 4)).toHaveLength(4);
  });
});

describe('outputWidth', () => {
  it('uses the terminal, then $COLUMNS, else no limit', () => {
    expect(outputWidth({ isTTY: true, columns: 91 }, {})).toBe(91);
    expect(outputWidth({ isTTY: false }, { COLUMNS: '70' })).toBe(70);
    expect(outputWidth({ isTTY: false }, {})).toBeNull();
    expect(outputWidth({ isTTY: false }, { COLUMNS: 'wide' })).toBeNull();
  });
});
