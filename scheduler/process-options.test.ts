import { describe, expect, it } from 'vitest';
import { parseSchedulerArgs, SchedulerFlagError } from './process-options.js';

describe('scheduler flags: --dispatch-window', () => {
  it('passes the window on, and leaves it to the driver when absent', () => {
    expect(parseSchedulerArgs(['--dispatch-window', '1000']).dispatchWindow).toBe(1000);
    expect(parseSchedulerArgs([]).dispatchWindow).toBeUndefined();
  });

  it('refuses a window that is not a whole number from 1, naming the flag', () => {
    expect(() => parseSchedulerArgs(['--dispatch-window', '0'])).toThrow(SchedulerFlagError);
    expect(() => parseSchedulerArgs(['--dispatch-window', '2.5'])).toThrow(/--dispatch-window must be an integer from 1 to 1000000, got "2.5"/);
  });
});
