// The route table in the README is the contract's, row for row: method, path, who may call it
// and what it does. A route added to contract/routes.ts without its README row fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from './index.js';

/** A route as its README row shows it: `{id}` for `:id`, the roles admitted (admin always). */
function readmeRow(r: RouteSpec): string[] {
  const who = r.auth === 'open' ? 'anyone' : ['admin', ...(r.roles ?? [])].join(', ');
  return [`\`${r.method}\``, `\`${r.url.replace(/:(\w+)/g, '{$1}')}\``, who, r.summary];
}

function readmeRows(): string[][] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('\n## HTTP API and errors\n')[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error('README.md has no "## HTTP API and errors" section');
  return section
    .split('\n')
    .filter((l) => /^\| `(GET|POST|PUT|PATCH|DELETE)` \|/.test(l))
    .map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

describe('route table', () => {
  it('matches the README row for row: method, path, roles, summary', () => {
    expect(readmeRows()).toEqual(Object.values(ROUTES).map((r: RouteSpec) => readmeRow(r)));
  });
});
