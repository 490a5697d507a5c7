// How the gsched processes stop: on SIGTERM/SIGINT, and — for children started by `gsched up`
// — when their parent disappears, even if it was killed without a chance to stop them (no
// orphans holding ports).
import { pino, type Logger } from 'pino';

export const LIFELINE_ENV = 'GSCHED_EXIT_WITH_PARENT';

/**
 * A process's logger: pino JSON on stdout, written synchronously. pino's default stdout is
 * asynchronous and flushed by an exit hook that retries a failed write forever, so a child
 * whose parent had been killed (stdout closed) could hang in process.exit and stay behind.
 */
export function processLogger(name: string, level: string): Logger {
  return pino({ name, level }, pino.destination({ fd: 1, sync: true }));
}
/** Longest a graceful stop may take before the process exits anyway. */
const FORCE_EXIT_MS = 5_000;

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
    // A shutdown that hangs (a stuck stream, a busy machine) must not leave the process behind.
    setTimeout(() => process.exit(0), FORCE_EXIT_MS).unref();
    void shutdown().finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  exitWithParent(stop);
}
