import { describe, expect, it } from 'vitest';
import { ReportInputError, renderReport, type SimReportInput } from './index.js';

const VOID = new Set(['meta', 'br', 'img', 'hr', 'link']);

/** Tags balance (every element closed, in order) and no stray `<` or `>` is left in text. */
function wellFormed(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const body = html.replace(/^<!DOCTYPE html>/, '');
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let textOnly = '';
  let at = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    textOnly += body.slice(at, m.index);
    at = m.index + m[0].length;
    const [, close, name = '', , self] = m;
    if (self || VOID.has(name)) continue;
    if (!close) stack.push(name);
    else if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
  }
  textOnly += body.slice(at);
  if (stack.length) problems.push(`unclosed ${stack.join(',')}`);
  if (/[<>]/.test(textOnly)) problems.push('stray < or > in text');
  return problems;
}

const DAY = 86_400_000;

function sample(): SimReportInput {
  const t = Array.from({ length: 5000 }, (_, i) => i * 3_600_000);
  return {
    title: 'NGC steady 4.5 years',
    summary: { analyses: 60000, 'mean wait (h)': 0.25, policy: 'easy' },
    utilization: { t, busyFrac: t.map((_, i) => 0.03 + 0.02 * Math.sin(i / 50)) },
    queueDepth: { t, depth: t.map((_, i) => (i % 97 === 0 ? 40 : 2)) },
    waitsByClass: { 'wgs-single': [0, 5, 60, 3600, 7200], 'wgs-rapid': [0, 0, 1], panel: [] },
    perContainerUtilization: { c1: 0.031, c2: 0.029, c3: 0.03 },
  };
}

describe('renderReport', () => {
  it('renders a self-contained, well-formed page with one SVG per chart', () => {
    const html = renderReport(sample());
    expect(wellFormed(html)).toEqual([]);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg/g)).toHaveLength(4); // utilization, queue depth, wait CDF, containers
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=/i);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html).toContain('queue wait (hours, log scale)');
    expect(html).toContain('simulated time (days)');
    expect(html).toContain('60,000');
    // A long series is thinned to about two points per pixel column.
    expect(html.length).toBeLessThan(120_000);
  });

  it('escapes every piece of text it is given', () => {
    const evil = '<script>alert("x")</script>&';
    const input = sample();
    input.title = evil;
    input.summary = { [evil]: evil };
    input.waitsByClass = { [evil]: [1, 2] };
    input.perContainerUtilization = { [evil]: 0.5 };
    const html = renderReport(input);
    expect(html).not.toContain('<script');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#38;');
    expect(wellFormed(html)).toEqual([]);
  });

  it('handles empty series and odd numbers without NaN in the SVG', () => {
    const html = renderReport({
      title: 'empty',
      summary: {},
      utilization: { t: [], busyFrac: [] },
      queueDepth: { t: [0, 1000, Number.NaN], depth: [Number.NaN, Number.POSITIVE_INFINITY, 3] },
      waitsByClass: { a: [], b: [Number.NaN, -1] },
    });
    expect(wellFormed(html)).toEqual([]);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html.match(/no data/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('puts an unordered series in time order', () => {
    const html = renderReport({
      title: 'unordered',
      summary: {},
      utilization: { t: [2 * DAY, 0, DAY], busyFrac: [0.2, 0, 0.1] },
      queueDepth: { t: [], depth: [] },
      waitsByClass: {},
    });
    const line = /<polyline[^>]*points="([^"]*)"/.exec(html)?.[1] ?? '';
    const xs = line.split(' ').map((p) => Number(p.split(',')[0]));
    expect(xs).toHaveLength(3);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('scales a lightly loaded cluster to its busy range and counts pending jobs in whole numbers', () => {
    const t = [0, DAY, 2 * DAY, 3 * DAY];
    const html = renderReport({
      title: 'light',
      summary: {},
      utilization: { t, busyFrac: [0.004, 0.015, 0.009, 0.01] },
      queueDepth: { t, depth: [0, 1, 0, 1] },
      waitsByClass: { a: [0, 0, 30] },
    });
    const [util = '', queue = ''] = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    const ticks = (svg: string) => [...svg.matchAll(/text-anchor="end" dominant-baseline="middle">([^<]*)</g)].map((m) => m[1]);
    expect(ticks(util)).toEqual(['0%', '0.5%', '1%', '1.5%', '2%']);
    expect(ticks(queue)).toEqual(['0', '1']);
    expect(html).toContain('66.7%'); // two of the three jobs did not wait
  });

  it('draws a single point and all-zero waits', () => {
    const html = renderReport({
      title: 'one',
      summary: { x: Number.NaN },
      utilization: { t: [5 * DAY], busyFrac: [0.5] },
      queueDepth: { t: [0], depth: [0] },
      waitsByClass: { urgent: [0, 0, 0] },
    });
    expect(wellFormed(html)).toEqual([]);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html).toContain('<polyline');
  });

  it('draws a million-point series as a page of bounded size', () => {
    const n = 1_000_000;
    const t = Array.from({ length: n }, (_, i) => i * 60_000);
    const html = renderReport({
      title: 'long',
      summary: {},
      utilization: { t, busyFrac: t.map((_, i) => (i % 1000) / 1000) },
      queueDepth: { t, depth: t.map((_, i) => i % 7) },
      waitsByClass: { a: Array.from({ length: n }, (_, i) => i % 86_400) },
    });
    expect(wellFormed(html)).toEqual([]);
    expect(html.length).toBeLessThan(200_000);
  });

  const bad: [string, unknown][] = [
    ['input', null],
    ['title', { ...sample(), title: 3 }],
    ['summary.k', { ...sample(), summary: { k: {} } }],
    ['utilization', { ...sample(), utilization: undefined }],
    ['utilization.t', { ...sample(), utilization: { t: 'x', busyFrac: [] } }],
    ['queueDepth.depth', { ...sample(), queueDepth: { t: [], depth: ['1'] } }],
    ['waitsByClass.x', { ...sample(), waitsByClass: { x: null } }],
    ['perContainerUtilization.c1', { ...sample(), perContainerUtilization: { c1: '50%' } }],
  ];
  it.each(bad)('rejects bad input naming %s', (field, input) => {
    expect(() => renderReport(input as SimReportInput)).toThrow(ReportInputError);
    expect(() => renderReport(input as SimReportInput)).toThrow(field);
  });
});
