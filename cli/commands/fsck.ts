// gsched fsck DIR: check a scheduler state folder without changing it (it may be in use).
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { layoutFingerprint } from '../../scheduler/core/index.js';
import { fsckStateDir } from '../../scheduler/store/index.js';
import { CliError } from '../errors.js';
import { print, printJson } from '../output.js';

export function registerFsckCommands(program: Command): void {
  program
    .command('fsck')
    .description('check a state folder: its format, its data file, the checksum of every record and the audit log hash chain; exits 1 on damage')
    .argument('[dir]', 'the state folder (the --state of gsched up)', './var')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      // A mistyped path is a usage error, not a damaged folder.
      if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`fsck ${dir}: no such folder (give the --state folder of gsched up)`, 2);
      const report = await fsckStateDir(resolve(dir));
      if (opts.json) printJson(report);
      else {
        print(`${report.dir}: ${report.ok ? 'ok' : 'DAMAGED'} (schema ${report.schema ?? 'unknown'}${report.dataBytes === null ? '' : `, data file ${report.dataBytes} bytes`})`);
        for (const db of report.dbs) print(`  ${db.name.padEnd(10)} ${String(db.records).padStart(9)} records${db.damaged > 0 ? `, ${db.damaged} damaged` : ''}`);
        for (const p of report.problems) print(`  ${report.ok ? 'note' : 'problem'}: ${p}`);
        // Not damage, but a start of this build cannot use a snapshot of another state layout
        // (the layout's probe core is built only when there is a snapshot to compare).
        const layout = report.snapshotLayout === undefined ? undefined : layoutFingerprint();
        if (layout !== undefined && report.snapshotLayout !== layout) {
          const start = report.journalFromStart ? 'a start of this gsched rebuilds the state from the whole journal instead' : 'this gsched will not start on it (unless an older snapshot of its layout is still in the folder)';
          print(`  note: its latest snapshot ${report.snapshotLayout === null ? 'names no state layout (written before layouts were recorded)' : `has state layout ${report.snapshotLayout}`}; this gsched's is ${layout}, so ${start}`);
        }
      }
      if (!report.ok) throw new CliError(`${report.dir} is damaged (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`, 1);
    });
}
