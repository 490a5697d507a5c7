// The dashboard's files: its page at /, and under /dashboard/ its compiled scripts (dist/),
// its style sheet and uPlot from the npm package. Nothing is fetched from elsewhere.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compiledPath, packageRoot } from '../../common/index.js';
import { AssetSet, packageDir } from './assets.js';
import { ApiProblem } from './errors.js';

export interface DashboardFiles {
  page(): { body: Buffer; type: string };
  asset(file: string): { body: Buffer; type: string };
}

export function dashboardFiles(): DashboardFiles {
  const src = join(packageRoot(), 'dashboard');
  const out = compiledPath('dashboard/app.ts').replace(/app\.js$/, '');
  const uplot = join(packageDir('uplot'), 'dist');
  const files: Record<string, string> = {
    'index.html': join(src, 'index.html'),
    'style.css': join(src, 'style.css'),
    'uPlot.esm.js': join(uplot, 'uPlot.esm.js'),
    'uPlot.min.css': join(uplot, 'uPlot.min.css'),
  };
  // Every compiled module of the page (app.js imports the others by relative path).
  let compiled: string[] = [];
  try {
    compiled = readdirSync(out).filter((f) => f.endsWith('.js'));
  } catch {
    // not built: the page then says its script is missing (npm run build makes it)
  }
  for (const f of compiled) files[f] = join(out, f);
  const assets = new AssetSet(files);
  return {
    page() {
      const a = assets.get('index.html');
      if (!a) throw new ApiProblem('NOT_FOUND', 'the dashboard page is missing from this installation');
      return a;
    },
    asset(file) {
      const a = file === 'index.html' ? undefined : assets.get(file);
      if (!a) throw new ApiProblem('NOT_FOUND', `no dashboard file ${file}${compiled.length === 0 ? ' (the dashboard is not built: npm run build)' : ''}`);
      return a;
    },
  };
}
