// The core's purity is enforced by its build (scheduler/core/tsconfig.json: no ambient types,
// so a Node API does not compile) and by the layering check (.dependency-cruiser.cjs: the core
// imports nothing outside itself). These tests show both checks can fail. Only `Date` and
// `Math.random` are declared by the ES library itself, so no build setting can remove them:
// they alone are still looked for in the text.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'gsched-purity-'));
writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n'); // ESM, as the core is
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Type-checks `source` as a core module would be: under the core's tsconfig. */
function compileAsCore(name: string, source: string): Promise<{ ok: boolean; out: string }> {
  writeFileSync(join(tmp, `${name}.ts`), source);
  const config = join(tmp, `${name}.tsconfig.json`);
  writeFileSync(config, JSON.stringify({
    extends: join(here, 'tsconfig.json'),
    compilerOptions: { rootDir: tmp },
    include: [],
    files: [join(tmp, `${name}.ts`)],
  }));
  return new Promise((resolve) => {
    execFile(join(root, 'node_modules', '.bin', 'tsc'), ['-p', config], { cwd: root }, (err, stdout, stderr) => {
      resolve({ ok: err === null, out: stdout + stderr });
    });
  });
}

describe('scheduler/core purity (its own build)', () => {
  it('compiles a pure module', async () => {
    const r = await compileAsCore('pure', 'export const twice = (xs: number[]): number[] => xs.map((x) => Math.max(0, x) * 2);\n');
    expect(r.out).toBe('');
    expect(r.ok).toBe(true);
  });

  it('fails to compile a module that reaches for Node: a node: import, the process, a timer, the console', async () => {
    const r = await compileAsCore('impure', [
      "import { readFileSync } from 'node:fs';",
      'export const read = (): string => readFileSync(process.argv[1] ?? "", "utf8");',
      'export const later = (f: () => void): unknown => setTimeout(f, 1);',
      'export const say = (s: string): void => console.log(s);',
      '',
    ].join('\n'));
    expect(r.ok).toBe(false);
    expect(r.out).toContain("'node:fs'");
    expect(r.out).toContain("'process'");
    expect(r.out).toContain("'setTimeout'");
    expect(r.out).toContain("'console'");
  });
});

describe('scheduler/core purity (what the ES library itself declares)', () => {
  const FORBIDDEN: [RegExp, string][] = [
    [/\bDate\b/, 'reads the wall clock (Date)'],
    [/\bMath\.random\b/, 'uses unseeded randomness'],
  ];
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
    );
  const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

  it('no core module uses Date or Math.random', () => {
    const files = sources(here);
    expect(files.length).toBeGreaterThan(5);
    const found = files.flatMap((f) => FORBIDDEN.filter(([re]) => re.test(code(readFileSync(f, 'utf8')))).map(([, why]) => `${f}: ${why}`));
    expect(found).toEqual([]);
  });

  it('the check can fail', () => {
    const bad = code('const t = Date.now(); // Math.random in a comment is fine\nconst r = Math.random();');
    expect(FORBIDDEN.filter(([re]) => re.test(bad)).length).toBe(2);
  });
});
