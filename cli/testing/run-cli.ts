// Runs the compiled CLI as a child process, the way an operator's shell would.
import { execFile } from 'node:child_process';
import { compiledPath } from '../../common/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The code of a run that was killed, as timeout(1) gives: never one of gsched's own exit codes. */
const KILLED = 124;
const TIMEOUT_MS = 30_000;

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [compiledPath('cli/main.ts'), ...args], { env, timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err === null) return resolve({ code: 0, stdout, stderr });
      if (typeof err.code === 'number') return resolve({ code: err.code, stdout, stderr });
      // Killed (by the timeout, or a signal): say so, rather than pass for gsched's exit 1.
      const why = err.killed ? `killed after ${TIMEOUT_MS / 1000} s without exiting` : `ended by ${err.signal ?? 'a signal'}`;
      resolve({ code: KILLED, stdout, stderr: `${stderr}[runCli: gsched ${args.join(' ')} ${why}]\n` });
    });
  });
}
