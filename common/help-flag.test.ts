// The scheduler's and the agent's entry points answer --help with their usage and exit 0
// (real processes from dist/, as gsched up starts them).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compiledPath } from './paths.js';
import { helpRequested } from './help-flag.js';

describe('--help on the process entry points', () => {
  it('finds --help or -h among the flags, not after --', () => {
    expect(helpRequested(['--state', './var', '--help'])).toBe(true);
    expect(helpRequested(['-h'])).toBe(true);
    expect(helpRequested(['--state', './var'])).toBe(false);
    expect(helpRequested(['--', '--help'])).toBe(false);
  });

  it.each([
    ['scheduler/main.ts', /^usage: scheduler /],
    ['node-agent/main.ts', /^usage: node-agent /],
  ])('%s --help prints its usage and exits 0', (file, usage) => {
    for (const flag of ['--help', '-h']) {
      const r = spawnSync(process.execPath, [compiledPath(file), flag], { encoding: 'utf8', timeout: 20_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(usage);
    }
  });
});
