// `--help` / `-h` on the process entry points (scheduler, node agent): they print their usage on
// stdout and exit 0 instead of refusing the flag, as every other command-line tool does.

/** Whether the flags ask for help; checked before parsing, so other flags cannot refuse it. */
export function helpRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
