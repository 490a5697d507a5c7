import { describe, expect, it } from 'vitest';
import { signalName } from './signals.js';

describe('signalName', () => {
  it('reads USR1, SIGUSR1 and 10, and refuses what is no signal', () => {
    expect(signalName('usr1')).toBe('SIGUSR1');
    expect(signalName('SIGTERM')).toBe('SIGTERM');
    expect(signalName('9')).toBe('SIGKILL');
    expect(signalName('bogus')).toBeNull();
    expect(signalName('999')).toBeNull();
    expect(signalName('CONSTRUCTOR')).toBeNull();
  });
});
