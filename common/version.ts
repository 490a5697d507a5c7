// gsched's software version: the CLI's --version, the agent's hello and the scheduler's welcome.
// Kept equal to package.json's by version.test.ts (a constant: nothing reads package.json at run time).
export const GSCHED_VERSION = '0.1.0';
