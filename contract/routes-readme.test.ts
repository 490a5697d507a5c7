// The route table in the README is the contract's, row for row: method, path, who may call it
// and what it does. A route added to contract/routes.ts without its README row fails here.
import { describe, expect, it } from 'vitest';
import { ROUTES, type RouteSpec } from './index.js';
import { readmeApiRows } from './readme-rows.js';

/** A route as its README row shows it: `{id}` for `:id`, the roles admitted (admin always). */
function readmeRow(r: RouteSpec): string[] {
  const who = r.auth === 'open' ? 'anyone' : ['admin', ...(r.roles ?? [])].join(', ');
  return [`\`${r.method}\``, `\`${r.url.replace(/:(\w+)/g, '{$1}')}\``, who, r.summary];
}

const readmeRows = (): string[][] => readmeApiRows(/^`(GET|POST|PUT|PATCH|DELETE)`$/);

describe('route table', () => {
  it('matches the README row for row: method, path, roles, summary', () => {
    expect(readmeRows()).toEqual(Object.values(ROUTES).map((r: RouteSpec) => readmeRow(r)));
  });
});
