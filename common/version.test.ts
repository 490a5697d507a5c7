import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './paths.js';
import { GSCHED_VERSION } from './version.js';

describe('GSCHED_VERSION', () => {
  it("is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    expect(GSCHED_VERSION).toBe(pkg.version);
  });
});
