// Child processes started by `gsched up` stop when their parent disappears, even if it was
// killed without a chance to stop them (no orphans holding ports).
export const LIFELINE_ENV = 'GSCHED_EXIT_WITH_PARENT';

export function exitWithParent(stop: (reason: string) => void): void {
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
