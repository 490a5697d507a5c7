// Signal names as `kill` takes them: the agent sends them, the API and the CLI check them first,
// so `gsched cancel --signal BOGUS` is refused instead of reported as sent and dropped.
import { constants as osConstants } from 'node:os';

/** `USR1`, `SIGUSR1` or `10` → `SIGUSR1`; null if not a signal. */
export function signalName(text: string): NodeJS.Signals | null {
  const t = text.trim().toUpperCase();
  const signals = osConstants.signals as Readonly<Record<string, number>>;
  if (/^\d+$/.test(t)) {
    const found = Object.entries(signals).find(([, n]) => n === Number(t));
    return found ? (found[0] as NodeJS.Signals) : null;
  }
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return Object.hasOwn(signals, name) ? (name as NodeJS.Signals) : null;
}
