// Child processes and worker threads run compiled JavaScript, even when the caller is a
// TypeScript source under vitest: this names the file in dist/ for a path in the tree.
import { join } from 'node:path';
import { packageRoot } from './load.js';

/** `compiledPath('node-agent/worker.ts')` → `<root>/dist/node-agent/worker.js`. */
export function compiledPath(pathInTree: string): string {
  return join(packageRoot(), 'dist', pathInTree.replace(/\.ts$/, '.js'));
}
