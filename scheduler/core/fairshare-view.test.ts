// The fair-share view (sshare): an account's usage is its own plus that of the accounts under
// it, as Slurm's RawUsage is, and as Fair Tree ranks it.
import { describe, expect, it } from 'vitest';
import { FairShare } from './fairshare.js';

describe('FairShare.view', () => {
  it("counts the usage of the accounts under an account in that account's usage", () => {
    const fs = new FairShare(
      [
        { name: 'region-h', shares: 50 },
        { name: 'rh-genetics', parent: 'region-h', shares: 100 },
        { name: 'research', shares: 50 },
      ],
      604_800_000,
    );
    fs.running('rh-genetics', 4, 0);
    fs.rank(1000);
    const usage = Object.fromEntries(fs.view().map((v) => [v.account, v.usageCoreMs]));
    expect(usage['rh-genetics']).toBeGreaterThan(3990); // 4 cores for 1 s, barely decayed
    expect(usage['region-h']).toBe(usage['rh-genetics']);
    expect(usage['research']).toBe(0);
  });
});
