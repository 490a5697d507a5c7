// Property-based fuzzing of every REST route (found from the built API, so routes added later
// are fuzzed too): malformed, oversized and unexpected paths, queries, headers and bodies, as
// each role and as nobody. Never a 5xx, a crash or a hang; every error is problem+json.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentHub } from '../agents/index.js';
import { LiveDriver } from '../driver/index.js';
import { ROLES, Security } from '../security/index.js';
import { closeApiStack, openApiStack, testJob, type ApiStack } from '../testing/index.js';
import { apiRoutes, buildApi } from './index.js';

const RUNS_PER_ROUTE = Number(process.env.GSCHED_FUZZ_RUNS ?? 60);
const dir = mkdtempSync(join(tmpdir(), 'gsched-fuzz-'));
let app: FastifyInstance;
let hub: AgentHub;
let driver: LiveDriver;
let security: Security;
let stack: ApiStack;
const tokens: string[] = [];
let cases = 0;

beforeAll(async () => {
  stack = openApiStack(dir, { observe: false });
  ({ driver, hub, security } = stack);
  security.bootstrap('fuzz-admin-token-0123456789');
  tokens.push('fuzz-admin-token-0123456789');
  for (const role of ROLES.filter((r) => r !== 'admin')) tokens.push(security.tokens.create({ role, accounts: role === 'submitter' ? ['rh-genetics'] : [], createdBy: 'fuzz' }).token);
  const { metrics } = stack;
  metrics.watch(driver, hub);
  app = buildApi({ driver, hub, metrics, security, bodyLimit: 256 * 1024, rateLimit: { perSecond: 0, burst: 1 } });
  await app.ready();
  // Something to find: a job and consent on record.
  await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' }, payload: JSON.stringify(testJob([{}])) });
});

afterAll(async () => {
  await closeApiStack(app, stack);
  // The count the issue asks to report.
  process.stdout.write(`REST fuzz: ${cases} requests over ${apiRoutes(app).length} routes\n`);
});

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '0', '-1', '1e309', '999999999999999999999', '1_2', '..', '../../etc/passwd', '%00', '%ff', '%', '\u0000', 'null', '[]', '{}', '010203-1234', 'c1-n001', 'p_x', 't_00000000', 'x'.repeat(5000)),
);

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ name: nasty, account: nasty, partition: nasty, qos: nasty, purpose: nasty, tasks: fc.array(fc.dictionary(nasty, fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 }) }, { requiredKeys: [] }),
  fc.record({ role: nasty, name: nasty, accounts: fc.array(nasty, { maxLength: 3 }) }, { requiredKeys: [] }),
  fc.record({ pseudonym: nasty, cpr: nasty, action: nasty, status: nasty, documentRef: nasty, note: nasty }, { requiredKeys: [] }),
  fc.record({ reason: fc.jsonValue({ maxDepth: 1 }) }),
  fc.constant(testJob([{ cores: 1 }], { name: 'fuzz' })),
);

const raw = fc.oneof(
  body.map((b) => JSON.stringify(b)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"a":', '[1,2', '"unterminated', 'nul', '\u0000', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '['.repeat(50_000), '{"a":'.repeat(2000), 'x'.repeat(300 * 1024)),
);

describe('REST fuzzing', () => {
  it('finds the routes to fuzz', () => {
    expect(apiRoutes(app).length).toBeGreaterThanOrEqual(14);
  });

  it('answers every route with a non-5xx, problem+json on error, for malformed and oversized input', async () => {
    // The event stream answers 200 and stays open by design (its own tests cover bad input).
    for (const route of apiRoutes(app).filter((r) => r.url !== '/api/v1/events')) {
      await fc.assert(
        fc.asyncProperty(
          fc.array(nasty, { minLength: 3, maxLength: 3 }),
          fc.dictionary(nasty, fc.oneof(nasty, fc.array(nasty, { maxLength: 2 })), { maxKeys: 3 }),
          fc.option(raw, { nil: undefined }),
          fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/problem+json', ''),
          fc.integer({ min: -1, max: tokens.length - 1 }),
          async (params, query, payload, type, who) => {
            let i = 0;
            const path = route.url.replace(/:[A-Za-z]+/g, () => encodeURIComponent(params[i++] ?? ''));
            const qs = new URLSearchParams();
            for (const [k, v] of Object.entries(query)) for (const x of [v].flat()) qs.append(k, x);
            const headers: Record<string, string> = {};
            if (who >= 0) headers.authorization = `Bearer ${tokens[who]}`;
            if (payload !== undefined && type !== '') headers['content-type'] = type;
            cases++;
            const res = await app.inject({ method: route.method as 'GET', url: `${path}${qs.size > 0 ? `?${qs}` : ''}`, headers, ...(payload === undefined ? {} : { payload }) });
            expect(res.statusCode, `${route.method} ${path.slice(0, 100)}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
            if (res.statusCode >= 400) expect(res.headers['content-type'], `${route.method} ${path.slice(0, 100)} ${res.statusCode} ${res.body.slice(0, 200)}`).toContain('application/problem+json');
          },
        ),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
    // The scheduler still serves after all that.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  }, 300_000);
});
