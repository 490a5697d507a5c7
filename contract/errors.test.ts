// The error table is the one source of each code's HTTP and gRPC status; the README shows it
// to users. This keeps the two the same, row for row.
import { readFileSync } from 'node:fs';
import { status as grpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERRORS, ROUTES, errorsOf } from './index.js';

function readmeRows(): string[][] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('\n## HTTP API and errors\n')[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error('README.md has no "## HTTP API and errors" section');
  return section
    .split('\n')
    // Error codes, not the route table's methods.
    .filter((l) => /^\| `[A-Z_]+` \|/.test(l) && !/^\| `(GET|POST|PUT|PATCH|DELETE)` \|/.test(l))
    .map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

describe('error table', () => {
  it('matches the README row for row: code, HTTP status, gRPC status, meaning', () => {
    const expected = Object.entries(ERRORS).map(([code, e]) => [`\`${code}\``, String(e.http), e.grpc, e.meaning]);
    expect(readmeRows()).toEqual(expected);
  });

  it('names only real gRPC statuses and real HTTP error statuses', () => {
    for (const [code, e] of Object.entries(ERRORS)) {
      expect(grpcStatus[e.grpc], `${code}: gRPC status ${e.grpc}`).toBeTypeOf('number');
      expect(e.http, code).toBeGreaterThanOrEqual(400);
      expect(e.http, code).toBeLessThan(600);
    }
  });

  it('gives every route the codes it can always answer with', () => {
    for (const [name, r] of Object.entries(ROUTES)) {
      const codes = errorsOf(r);
      expect(codes, name).toContain('INTERNAL');
      if (r.auth === 'bearer') expect(codes, name).toContain('UNAUTHORIZED');
    }
  });
});
