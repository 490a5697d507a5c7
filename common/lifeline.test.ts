import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compiledPath } from './paths.js';

describe('processLogger', () => {
  it('lets a process exit after its stdout was closed, with log lines still to write', async () => {
    const child = spawn(process.execPath, [compiledPath('common/testing/logger-child.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // The reader goes away, as when `gsched up` is killed; then the child is told to stop.
    child.stdout.destroy();
    child.stdin.end();
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref());
    const outcome = await Promise.race([exited, timeout]);
    if (outcome === 'hung') child.kill('SIGKILL');
    expect(outcome).toBe(0);
  });
});
