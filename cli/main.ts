#!/usr/bin/env node
// gsched: the operator's command line. Each command lives in cli/commands/<name>.ts and
// registers itself on the program; this file only wires them together.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { GSCHED_VERSION } from '../common/index.js';
import { CliError } from './errors.js';
import { registerSubmitCommands } from './commands/submit.js';
import { registerQueueCommands } from './commands/queue.js';
import { registerCancelCommands } from './commands/cancel.js';
import { registerNodesCommands } from './commands/nodes.js';
import { registerStatsCommands } from './commands/stats.js';
import { registerDrainCommands } from './commands/drain.js';
import { registerShowCommands } from './commands/show.js';
import { registerUpCommands } from './commands/up.js';
import { registerSimCommands } from './commands/sim.js';
import { registerKernelCommands } from './commands/kernel.js';
import { registerTokenCommands } from './commands/token.js';
import { registerConsentCommands } from './commands/consent.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerCertsCommands } from './commands/certs.js';
import { registerControlCommands } from './commands/control.js';
import { registerAcctCommands } from './commands/acct.js';
import { registerReplayCommands } from './commands/replay.js';
import { registerAnalysisCommands } from './commands/analysis.js';
import { registerRunCommands } from './commands/run.js';
import { registerFsckCommands } from './commands/fsck.js';
import { registerReservationCommands } from './commands/reservation.js';
import { registerReconfigureCommands } from './commands/reconfigure.js';

export function buildProgram(): Command {
  const program = new Command('gsched')
    .description('gsched: an HPC resource manager for a national genome centre')
    .version(GSCHED_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    // Commander's own usage errors read like ours: `gsched: <what is wrong>`.
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'gsched: ')) })
    // Before the commands are added, so that they inherit it and usage errors reach main().
    .exitOverride();
  // Commands register here, one line each.
  registerSubmitCommands(program);
  registerQueueCommands(program);
  registerCancelCommands(program);
  registerNodesCommands(program);
  registerStatsCommands(program);
  registerDrainCommands(program);
  registerShowCommands(program);
  registerUpCommands(program);
  registerSimCommands(program);
  registerKernelCommands(program);
  registerTokenCommands(program);
  registerConsentCommands(program);
  registerAuditCommands(program);
  registerCertsCommands(program);
  registerControlCommands(program);
  registerAcctCommands(program);
  registerReplayCommands(program);
  registerAnalysisCommands(program);
  registerRunCommands(program);
  registerFsckCommands(program);
  registerReservationCommands(program);
  registerReconfigureCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander's own usage errors (unknown option, missing argument) exit 1; usage is 2 here.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      process.stderr.write(`gsched: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`gsched: ${(err as Error).message ?? String(err)}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  // A reader that stops early (`gsched show job 120 | head -3`) closes the pipe: stop quietly,
  // as cat does, instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
