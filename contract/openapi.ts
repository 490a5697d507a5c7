// The OpenAPI 3.1 document, generated from ROUTES: the same schemas the server validates
// with, so the document cannot describe a shape the server does not enforce.
import type { TSchema } from 'typebox';
import { ERRORS, type ErrorCode } from './errors.js';
import { ROUTES, errorsOf, type RouteSpec } from './routes.js';
import { EVENT_SCHEMAS, Problem, ResetEvent } from './schemas.js';

type Json = Record<string, unknown>;

/** JSON Schema as plain data (TypeBox may carry symbol-keyed metadata). */
function plain(s: TSchema): Json {
  return JSON.parse(JSON.stringify(s)) as Json;
}

function parameters(schema: TSchema | undefined, where: 'path' | 'query'): Json[] {
  if (schema === undefined) return [];
  const s = plain(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => {
    const p: Json = { name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: prop };
    if (typeof prop.description === 'string') p.description = prop.description;
    return p;
  });
}

function operation(name: string, r: RouteSpec): Json {
  const responses: Json = {
    [r.reply.status]: { description: r.summary, content: { [r.reply.contentType ?? 'application/json']: { schema: plain(r.reply.schema) } } },
  };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorsOf(r)) byStatus.set(ERRORS[code].http, [...(byStatus.get(ERRORS[code].http) ?? []), code]);
  for (const [http, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[http] = {
      description: codes.map((c) => `\`${c}\`: ${ERRORS[c].meaning}`).join('; '),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  const op: Json = { operationId: name, summary: r.summary, tags: [...r.tags], responses };
  if (r.description !== undefined) op.description = r.description;
  const params = [...parameters(r.params, 'path'), ...parameters(r.querystring, 'query')];
  if (params.length > 0) op.parameters = params;
  if (r.body !== undefined) op.requestBody = { required: true, content: { 'application/json': { schema: plain(r.body) } } };
  op.security = r.auth === 'bearer' ? [{ bearer: [] }] : [];
  return op;
}

/** `/api/v1/jobs/:id` → `/api/v1/jobs/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

export function openApiDocument(version: string): Json {
  const paths: Record<string, Json> = {};
  for (const [name, r] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    const path = openApiPath(r.url);
    paths[path] = { ...(paths[path] ?? {}), [r.method.toLowerCase()]: operation(name, r) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'gsched HTTP API',
      version,
      description:
        'The scheduler’s HTTP API. Errors are application/problem+json; their `code` is one of the codes listed per response (the README’s "HTTP API and errors" table gives each code’s HTTP and gRPC status).',
    },
    tags: [...new Set(Object.values(ROUTES).flatMap((r) => r.tags))].map((name) => ({ name })),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token from <state>/api-token' } },
      schemas: {
        Problem: plain(Problem),
        JobEvent: plain(EVENT_SCHEMAS.job),
        NodeEvent: plain(EVENT_SCHEMAS.node),
        ConsentEvent: plain(EVENT_SCHEMAS.consent),
        ReservationEvent: plain(EVENT_SCHEMAS.reservation),
        ResetEvent: plain(ResetEvent),
      },
    },
    paths,
  };
}
