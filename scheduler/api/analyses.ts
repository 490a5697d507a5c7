// Analyses from pipeline templates (POST /api/v1/analyses) and sequencing runs as the labs
// report them (POST /api/v1/runs): each sample becomes one analysis job built by
// scheduler/pipelines, then goes through the core's submission checks, the consent gate included.
// A run is taken in once: a repeat of its id answers with what was done the first time.
import type { FastifyInstance } from 'fastify';
import type { JobSpec } from '../core/index.js';
import { buildAnalysis, LABS, PipelineError, type AnalysisRequest, type Lab } from '../pipelines/index.js';
import type { RunRecord } from '../store/index.js';
import type { LiveDriver } from '../driver/index.js';
import { ApiProblem, rejection } from './errors.js';

const str = { type: 'string' } as const;
const pseudonyms = { type: 'array', items: str, maxItems: 10_000 } as const;
const seed = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const lab = { type: 'string', enum: [...LABS] } as const;
/** Classes are checked by the templates, whose refusal lists the known ones. */
const cls = str;
/** Run ids become job names (`<run>:<sample>`), so they follow the core's name rule. */
const RUN_ID = '^[A-Za-z0-9._:+@-]{1,100}$';
const MAX_SAMPLES = 10_000;

export const ANALYSIS_SCHEMA = {
  type: 'object',
  required: ['class', 'pseudonyms'],
  additionalProperties: false,
  properties: { class: cls, pseudonyms, lab, account: str, name: str, seed },
} as const;

export const RUN_SCHEMA = {
  type: 'object',
  required: ['run', 'lab', 'samples'],
  additionalProperties: false,
  properties: {
    run: { type: 'string', pattern: RUN_ID },
    lab,
    samples: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_SAMPLES,
      items: {
        type: 'object',
        required: ['class'],
        additionalProperties: false,
        // One patient (`pseudonym`) or several (`pseudonyms`: a trio, a cohort).
        properties: { class: cls, pseudonym: str, pseudonyms, account: str, seed },
      },
    },
  },
} as const;

interface Sample {
  class: string;
  pseudonym?: string;
  pseudonyms?: string[];
  account?: string;
  seed?: number;
}

export interface RunBody {
  run: string;
  lab: Lab;
  samples: Sample[];
}

/** What became of one sample: its job, or why it was refused (the consent gate, an unknown account). */
export interface RunAnalysis {
  sample: number;
  class: string;
  jobId?: number;
  displayId?: string;
  error?: { code: string; message: string; field?: string };
}

export interface RunAnswer {
  run: string;
  lab: string;
  /** False when the run had been taken in before: nothing new was submitted. */
  created: boolean;
  submitted: number;
  refused: number;
  analyses: RunAnalysis[];
}

/** A PipelineError as a problem: an unknown class or a wrong pseudonym count is content the scheduler cannot use. */
function pipelineProblem(err: PipelineError, prefix = ''): ApiProblem {
  const status = err.code === 'UNKNOWN_CLASS' || err.code === 'PSEUDONYM_COUNT' ? 422 : 400;
  return new ApiProblem(status, err.code, err.message, prefix + err.field);
}

function sampleRequest(s: Sample, runLab: Lab, run: string, i: number): AnalysisRequest {
  if ((s.pseudonym === undefined) === (s.pseudonyms === undefined)) {
    throw new ApiProblem(400, 'INVALID_BODY', `samples[${i}] needs exactly one of pseudonym (one patient) or pseudonyms (several)`, `samples[${i}]`);
  }
  const req: AnalysisRequest = { class: s.class, pseudonyms: s.pseudonyms ?? [s.pseudonym as string], lab: runLab, name: `${run}:${i + 1}` };
  if (s.account !== undefined) req.account = s.account;
  if (s.seed !== undefined) req.seed = s.seed;
  return req;
}

function answer(r: RunRecord, created: boolean): RunAnswer {
  const analyses = r.analyses as RunAnalysis[];
  const refused = analyses.filter((a) => a.error !== undefined).length;
  return { run: r.run, lab: r.lab, created, submitted: analyses.length - refused, refused, analyses };
}

export function registerAnalysisRoutes(app: FastifyInstance, driver: LiveDriver): void {
  app.post('/api/v1/analyses', { schema: { body: ANALYSIS_SCHEMA } }, async (req, reply) => {
    let job: JobSpec;
    try {
      job = buildAnalysis(req.body as AnalysisRequest);
    } catch (err) {
      if (err instanceof PipelineError) throw pipelineProblem(err);
      throw err;
    }
    const r = await driver.submit(job);
    if (!r.ok) throw rejection(r.error);
    return reply.code(201).send(r.value);
  });

  /** Runs being taken in now: a concurrent repeat waits for the first rather than submitting twice. */
  const taking = new Map<string, Promise<RunRecord>>();

  const takeIn = async (body: RunBody, request: string): Promise<RunRecord> => {
    // Every sample is checked before any is submitted: a malformed run submits nothing.
    const jobs = body.samples.map((s, i) => {
      try {
        return buildAnalysis(sampleRequest(s, body.lab, body.run, i));
      } catch (err) {
        if (err instanceof PipelineError) throw pipelineProblem(err, `samples[${i}].`);
        throw err;
      }
    });
    // Submitted in order (the core files them in this order); then all made durable together.
    const results = jobs.map((job) => driver.submit(job));
    const analyses: RunAnalysis[] = [];
    for (const [i, pending] of results.entries()) {
      const r = await pending;
      const base = { sample: i, class: (body.samples[i] as Sample).class };
      if (r.ok) analyses.push({ ...base, jobId: r.value.jobIds[0] as number, displayId: r.value.displayIds[0] as string });
      else analyses.push({ ...base, error: { code: r.error.code, message: r.error.message, ...(r.error.field ? { field: r.error.field } : {}) } });
    }
    const record: RunRecord = { run: body.run, lab: body.lab, request, analyses, at: driver.clock.now() };
    await driver.store.putRun(record);
    return record;
  };

  app.post('/api/v1/runs', { schema: { body: RUN_SCHEMA } }, async (req, reply) => {
    const body = req.body as RunBody;
    const request = JSON.stringify({ lab: body.lab, samples: body.samples });
    const same = (r: RunRecord): RunRecord => {
      if (r.request !== request) {
        throw new ApiProblem(409, 'RUN_CONFLICT', `run ${body.run} was already taken in with different samples; a run id names one sequencing run`, 'run');
      }
      return r;
    };
    const known = driver.store.run(body.run);
    if (known) return reply.code(200).send(answer(same(known), false));
    const inFlight = taking.get(body.run);
    if (inFlight) return reply.code(200).send(answer(same(await inFlight), false));
    const p = takeIn(body, request);
    taking.set(body.run, p);
    try {
      return reply.code(201).send(answer(await p, true));
    } finally {
      taking.delete(body.run);
    }
  });
}
