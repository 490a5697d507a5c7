// How the gsched processes stop: on SIGTERM/SIGINT, and — for children started by `gsched up`
// — when their parent disappears, even if it was killed without a chance to stop them (no
// orphans holding ports).
import type { Logger } from 'pino';

export const LIFELINE_ENV = 'GSCHED_EXIT_WITH_PARENT';

function exitWithParent(stop: (reason: string) => void): void {
  if (process.env[LIFELINE_ENV] !== '1') return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      stop('parent exited');
    }
  }, 500);
  timer.unref();
}

/** Runs `shutdown` once on SIGTERM, SIGINT or loss of the parent, then exits 0. */
export function stopOnSignals(log: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'stopping');
    void shutdown().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  exitWithParent(stop);
}
