// The layering of gsched, checked on every `npm run build` (and so by `npm test` and CI).
//
// A package is a top-level folder, or a folder below one that has its own index.ts (the
// nearest such folder owns a file). Three rules:
//   1. No import cycles at run time. Checked on the compiled JavaScript in dist/ (run after
//      tsc), where type-only imports are gone: a filter may name the state's type while the
//      state holds the filters, but no two modules may need each other to load.
//   2. No deep imports: from outside a package, only its index.ts may be imported.
//   3. No upward imports: a package imports only packages of lower layers (LAYERS, bottom
//      first). Tests and testing helpers sit on top: they may import any package (through
//      its index.ts, rule 2 still holds).
// The core additionally imports nothing at all outside itself: no node:*, no npm package.
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');

/** Bottom first. Packages on one line are siblings: neither may import the other. */
const LAYERS = [
  ['scheduler/core'],
  ['common', 'contract/paths'],
  ['proto', 'node-agent/kernels', 'scheduler/pipelines', 'sim/report', 'sim/engine'],
  ['sim/workload'],
  ['scheduler/store', 'scheduler/security'],
  ['scheduler/driver', 'contract'],
  ['scheduler/agents', 'scheduler/events'],
  ['scheduler/api'],
  ['scheduler', 'node-agent', 'sim'],
  ['cli'],
  ['bench'],
];
/** Test helpers: importable from tests (and from bench, which drives a live cluster) only. */
const TESTING = ['scheduler/testing', 'cli/testing'];
const TEST_FILE = '\\.test\\.ts$';

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Packages whose sub-folders (with or without an index.ts) are their own internals. */
const WHOLE = ['scheduler/core'];

/** The top-level folders that hold gsched's code. */
const TOP = ['common', 'contract', 'scheduler', 'proto', 'node-agent', 'sim', 'cli', 'bench'];

/** Every folder holding an index.ts, plus the top-level folders. */
function findPackages() {
  const found = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === 'node_modules' || e.name.startsWith('.') || (dir === '.' && !TOP.includes(e.name))) continue;
      const path = dir === '.' ? e.name : `${dir}/${e.name}`;
      if (dir === '.' || existsSync(join(path, 'index.ts'))) found.add(path);
      if (!WHOLE.includes(path)) walk(path);
    }
  };
  walk('.');
  return [...found];
}
const PACKAGES = findPackages();
const unplaced = PACKAGES.filter((p) => ![...LAYERS.flat(), ...TESTING].includes(p));
if (unplaced.length > 0) {
  throw new Error(`${unplaced.join(', ')}: a package (a folder with an index.ts) with no place in LAYERS; add it to .dependency-cruiser.cjs`);
}

/** Regex matching the files owned by package `p` (its folder less its sub-packages). */
function own(p) {
  const subs = PACKAGES.filter((q) => q.startsWith(`${p}/`)).map((q) => esc(q.slice(p.length + 1)));
  return subs.length ? `^${esc(p)}/(?!(?:${subs.join('|')})/)` : `^${esc(p)}/`;
}

const rank = (p) => LAYERS.findIndex((layer) => layer.includes(p));

const deepImports = PACKAGES.map((p) => ({
  name: `no-deep-import:${p}`,
  comment: `from outside ${p}, import only ${p}/index.ts`,
  severity: 'error',
  from: { pathNot: own(p) },
  to: { path: own(p), pathNot: `^${esc(p)}/index\\.ts$` },
}));

const upwardImports = LAYERS.flat().flatMap((p) => {
  const notBelow = [...LAYERS.flat().filter((q) => q !== p && rank(q) >= rank(p)), ...(p === 'bench' ? [] : TESTING)];
  if (notBelow.length === 0) return [];
  return {
    name: `no-upward-import:${p}`,
    comment: `${p} may import only packages of lower layers (see LAYERS)`,
    severity: 'error',
    from: { path: own(p), pathNot: TEST_FILE },
    to: { path: `(?:${notBelow.map(own).join('|')})` },
  };
});

/** Compiled files in dist/ with no source any more (tsc does not delete them). */
function findStaleDist() {
  const stale = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.js') && !existsSync(path.slice('dist/'.length).replace(/\.js$/, '.ts'))) stale.push(path);
    }
  };
  for (const top of TOP) walk(`dist/${top}`);
  return stale;
}
const staleDist = findStaleDist();

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle at run time: split the shared part out (see sim/workload/types.ts)',
      severity: 'error',
      from: { path: '^dist/' },
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      comment: 'scheduler/core imports nothing outside itself: no node:*, no npm package, no other gsched package',
      severity: 'error',
      from: { path: '^scheduler/core/', pathNot: `${TEST_FILE}|^scheduler/core/testing\\.ts$` },
      to: { pathNot: '^scheduler/core/' },
    },
    {
      name: 'testing-only-from-tests',
      comment: 'testing helpers are for tests (and bench) only',
      severity: 'error',
      from: { pathNot: `${TEST_FILE}|^bench/|^(?:${TESTING.map(esc).join('|')})/` },
      to: { path: `^(?:${TESTING.map(esc).join('|')})/` },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to no file',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...deepImports,
    ...upwardImports,
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    // dist/ is read for the cycle rule only; files there whose source is gone are left out.
    exclude: { path: `^node_modules/${staleDist.length ? `|^(?:${staleDist.map(esc).join('|')})$` : ''}` },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
