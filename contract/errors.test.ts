// The error table is the one source of each code's HTTP and gRPC status; the README shows it
// to users. This keeps the two the same, row for row.
import { status as grpcStatus } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERRORS, ROUTES, errorsOf } from './index.js';
import { readmeApiRows } from './readme-rows.js';

/** The error rows: a code in capitals, not the route table's methods. */
const readmeRows = (): string[][] => readmeApiRows(/^`(?!(GET|POST|PUT|PATCH|DELETE)`)[A-Z_]+`$/);

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
