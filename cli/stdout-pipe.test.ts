// A reader that closes the pipe early (`gsched ... | head -3`) ends the CLI quietly with exit 0,
// not with an unhandled EPIPE and its stack trace (the compiled CLI, as a shell runs it).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compiledPath } from '../common/index.js';

const dir = mkdtempSync(join(tmpdir(), 'gsched-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stdout closed by its reader', () => {
  it('exits 0 without a stack trace', async () => {
    // fsck of an empty folder prints without a scheduler; the pipe is closed before it writes.
    const child = spawn(process.execPath, [compiledPath('cli/main.ts'), 'fsck', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
