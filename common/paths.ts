// Where gsched's files are, whether running from source (vitest) or from dist/. Child processes
// and worker threads run compiled JavaScript even when the caller is a TypeScript source.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding gsched's package.json, whether running from source or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scheduler'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the gsched package root');
    dir = up;
  }
}

/** `compiledPath('node-agent/kernels/worker.ts')` → `<root>/dist/node-agent/kernels/worker.js`. */
export function compiledPath(pathInTree: string): string {
  return join(packageRoot(), 'dist', pathInTree.replace(/\.ts$/, '.js'));
}
