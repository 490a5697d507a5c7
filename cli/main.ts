#!/usr/bin/env node
// gsched: the operator's command line. Each command lives in cli/commands/<name>.ts and
// registers itself on the program; this file only wires them together.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { CliError } from './errors.js';
import { registerUpCommands } from './commands/up.js';
import { registerSimCommands } from './commands/sim.js';
import { registerKernelCommands } from './commands/kernel.js';

export function buildProgram(): Command {
  const program = new Command('gsched')
    .description('gsched: an HPC resource manager for a national genome centre')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  // Commands register here, one line each.
  registerUpCommands(program);
  registerSimCommands(program);
  registerKernelCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
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
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
