// The core must stay a pure function of its inputs: no I/O, clocks, timers or randomness.
// This is the lint rule, enforced as a test so CI fails the moment one creeps in.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
// Subfolders too (filters/, policies/): the pipeline's parts are held to the same rule.
const sources = readdirSync(here, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

const FORBIDDEN: [RegExp, string][] = [
  [/from\s+['"]node:/, 'imports a node: module'],
  [/from\s+['"](fs|path|os|child_process|net|http|https|worker_threads|timers|crypto)['"]/, 'imports a Node built-in'],
  [/\bimport\s*\(/, 'imports dynamically'],
  [/\bDate\b/, 'reads the wall clock (Date)'],
  [/\bperformance\s*\./, 'reads a clock (performance)'],
  [/\bprocess\s*\./, 'touches the process'],
  [/\bMath\.random\b/, 'uses unseeded randomness'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\b/, 'owns a timer'],
  [/\b(fetch|require)\s*\(/, 'does I/O'],
  [/\bconsole\./, 'logs'],
];

describe('scheduler/core purity', () => {
  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThan(5);
  });

  for (const file of sources) {
    it(`${file} has no I/O, clocks, timers or randomness`, () => {
      const code = readFileSync(join(here, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const found = FORBIDDEN.filter(([re]) => re.test(code)).map(([, why]) => why);
      expect(found, `${file} ${found.join(', ')}`).toEqual([]);
    });
  }

  it('catches a violation (the checker itself can fail)', () => {
    const bad = "import { readFileSync } from 'node:fs'; const t = Date.now();";
    expect(FORBIDDEN.filter(([re]) => re.test(bad)).length).toBe(2);
  });
});
