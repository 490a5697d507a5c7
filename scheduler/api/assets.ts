// Files the API serves as they are (the docs page's Swagger UI, the dashboard's scripts and
// uPlot), from npm packages and dist/: read once, kept in memory, never from a CDN.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The folder of an installed npm package. */
export function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/** A fixed set of files by public name; anything else is unknown (no path from the request reaches the disk). */
export class AssetSet {
  private readonly cache = new Map<string, Asset>();
  constructor(private readonly files: Readonly<Record<string, string>>) {}

  get(name: string): Asset | undefined {
    const hit = this.cache.get(name);
    if (hit) return hit;
    const path = Object.hasOwn(this.files, name) ? this.files[name] : undefined;
    if (path === undefined) return undefined;
    const ext = path.slice(path.lastIndexOf('.'));
    const asset = { body: readFileSync(path), type: TYPES[ext] ?? 'application/octet-stream' };
    this.cache.set(name, asset);
    return asset;
  }
}

export function swaggerAssets(): AssetSet {
  const dir = packageDir('swagger-ui-dist');
  return new AssetSet({ 'swagger-ui.css': join(dir, 'swagger-ui.css'), 'swagger-ui-bundle.js': join(dir, 'swagger-ui-bundle.js') });
}
