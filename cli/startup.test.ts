// The CLI starts without loading TypeBox: its commands call routes through contract/paths (the
// methods and paths) and take the contract's schemas as types only. TypeBox's hundreds of
// modules were half of every command's start-up time.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../common/index.js';
import { PATHS, ROUTES } from '../contract/index.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('CLI start-up', () => {
  it('imports the contract\'s schemas as types only', () => {
    const root = packageRoot();
    const valueImports = sources(join(root, 'cli')).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/^import (?!type )[^;]*from '[./]+contract\/index\.js';/gm)].map((m) => `${relative(root, f)}: ${m[0]}`),
    );
    expect(valueImports).toEqual([]);
  });

  it('has a path for every route of the contract, and no other', () => {
    expect(Object.keys(PATHS).sort()).toEqual(Object.keys(ROUTES).sort());
    for (const [name, r] of Object.entries(ROUTES)) expect({ method: r.method, url: r.url }, name).toEqual(PATHS[name as keyof typeof PATHS]);
  });
});
