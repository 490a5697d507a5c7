// The layering check (.dependency-cruiser.cjs, run by `npm run build`) catches each kind of
// violation: shown on a small tree laid out like gsched's, with one violation of each rule.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from './paths.js';

const root = packageRoot();
const tree = mkdtempSync(join(tmpdir(), 'gsched-layers-'));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  'package.json': '{ "type": "module" }\n',
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
  'scheduler/core/index.ts': "export const x = 1;\n",
  'scheduler/core/impure.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'common/index.ts': "export { x } from '../scheduler/core/index.js';\n",
  'scheduler/driver/index.ts': "export { LiveDriver } from './driver.js';\n",
  'scheduler/driver/driver.ts': "import { x } from '../../common/index.js';\nexport class LiveDriver { n = x; }\n",
  'proto/index.ts': "import { LiveDriver } from '../scheduler/driver/index.js';\nexport const d = LiveDriver;\n",
  'sim/index.ts': "export { SimEngine } from './engine/engine.js';\n",
  'sim/engine/engine.ts': "import type { x } from '../../scheduler/core/index.js';\nexport class SimEngine { n: typeof x = 1; }\n",
  'sim/a.ts': "import { b } from './b.js';\nexport const a = (): unknown => b;\n",
  'sim/b.ts': "import { a } from './a.js';\nexport const b = (): unknown => a;\n",
  // Compiled output, where the cycle rule looks: a.js and b.js need each other to load; c.ts
  // names d's type only, which compiles away; gone*.js are left-overs of deleted sources.
  'dist/sim/a.js': "import { b } from './b.js';\nexport const a = () => b;\n",
  'dist/sim/b.js': "import { a } from './a.js';\nexport const b = () => a;\n",
  'sim/c.ts': "import type { D } from './d.js';\nexport interface C { d?: D }\n",
  'sim/d.ts': "import type { C } from './c.js';\nexport class D { c: C | null = null; }\n",
  'dist/sim/c.js': 'export {};\n',
  'dist/sim/d.js': 'export class D { c = null; }\n',
  'dist/sim/gone.js': "import './gone2.js';\n",
  'dist/sim/gone2.js': "import './gone.js';\n",
  'cli/index.ts': "import { SimEngine } from '../sim/engine/engine.js';\nimport { x } from '../common/index.js';\nexport const e = [SimEngine, x];\n",
};

interface Violation { rule: { name: string }; from: string; to: string }

describe('the layering check', () => {
  it('reports a Node import in the core, an upward import, a deep import and a run-time cycle, and nothing else (not a type-only cycle, not left-over compiled files)', async () => {
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    }
    copyFileSync(join(root, '.dependency-cruiser.cjs'), join(tree, '.dependency-cruiser.cjs'));
    const out = await new Promise<string>((resolve) => {
      execFile(join(root, 'node_modules', '.bin', 'depcruise'), ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'common', 'scheduler', 'proto', 'sim', 'cli', 'dist/sim'], { cwd: tree, maxBuffer: 1 << 24 }, (_err, stdout) => resolve(stdout));
    });
    const found = (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations
      .map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)
      .sort();
    expect(found).toEqual([
      'core-is-pure: scheduler/core/impure.ts -> fs',
      'no-circular: dist/sim/a.js -> dist/sim/b.js',
      'no-deep-import:sim: cli/index.ts -> sim/engine/engine.ts',
      'no-upward-import:proto: proto/index.ts -> scheduler/driver/index.ts',
    ]);
  });
});
