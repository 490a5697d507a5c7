// Analyses from pipeline templates (POST /api/v1/analyses) and sequencing runs as the labs
// report them (POST /api/v1/runs): each sample becomes one analysis job built by
// scheduler/pipelines, then goes through the core's submission checks, the consent gate included.
// A run is taken in once: a repeat of its id answers with what was done the first time.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { ROUTES, fastifySchema, type Role, type RouteSpec, type RunAnalysis, type RunReply, type RunRequest } from '../../contract/index.js';
import type { JobSpec } from '../core/index.js';
import { buildAnalysis, PipelineError, type AnalysisRequest, type Lab } from '../pipelines/index.js';
import type { RunRecord } from '../store/index.js';
import type { LiveDriver } from '../driver/index.js';
import type { AuditDetail } from '../security/index.js';
import { auditRunSamples, auditSubmission, type RunSampleOutcome } from './audit-submission.js';
import { ApiProblem, rejection } from './errors.js';

type Sample = RunRequest['samples'][number];

/**
 * Samples of a run built per event-loop turn. The submits that follow stay in one turn: the
 * run's jobs, audit entries and run record must share one journal group (all or none on disk).
 */
const BUILD_CHUNK = 24;

/** The API's fastify instance, typed by the contract's TypeBox schemas. */
export type TypedApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** A PipelineError as a problem: an unknown class or a wrong pseudonym count is content the scheduler cannot use. */
function pipelineProblem(err: PipelineError, prefix = ''): ApiProblem {
  const code = err.code === 'UNKNOWN_CLASS' || err.code === 'PSEUDONYM_COUNT' ? err.code : 'INVALID_BODY';
  return new ApiProblem(code, err.message, prefix + err.field);
}

function sampleRequest(s: Sample, runLab: Lab, run: string, i: number): AnalysisRequest {
  if ((s.pseudonym === undefined) === (s.pseudonyms === undefined)) {
    throw new ApiProblem('INVALID_BODY', `samples[${i}] needs exactly one of pseudonym (one patient) or pseudonyms (several)`, `samples[${i}]`);
  }
  const req: AnalysisRequest = { class: s.class, pseudonyms: s.pseudonyms ?? [s.pseudonym as string], lab: runLab, name: `${run}:${i + 1}` };
  if (s.account !== undefined) req.account = s.account;
  if (s.seed !== undefined) req.seed = s.seed;
  return req;
}

function answer(r: RunRecord, created: boolean): RunReply {
  const analyses = r.analyses as RunAnalysis[];
  const refused = analyses.filter((a) => a.error !== undefined).length;
  return { run: r.run, lab: r.lab, created, submitted: analyses.length - refused, refused, analyses };
}

// The roles come from the contract too: without them a route is admin-only (see auth.ts).
const at = <N extends 'submitAnalysis' | 'submitRun'>(name: N) => {
  const r: RouteSpec = ROUTES[name];
  return { method: ROUTES[name].method, url: ROUTES[name].url, schema: fastifySchema(name, ROUTES[name]), config: { roles: r.roles ?? ([] as readonly Role[]) } };
};

/** A repeated run id answers 200 (nothing new was created) with the same reply as the first 201. */
function runRoute() {
  const base = at('submitRun');
  return { ...base, schema: { ...base.schema, response: { ...base.schema.response, 200: ROUTES.submitRun.reply.schema } } };
}

export function registerAnalysisRoutes(app: TypedApp, driver: LiveDriver): void {
  app.route({ ...at('submitAnalysis'), handler: async (req, reply) => {
    const body = req.body as AnalysisRequest;
    let job: JobSpec;
    try {
      job = buildAnalysis(body);
    } catch (err) {
      if (!(err instanceof PipelineError)) throw err;
      const p = pipelineProblem(err);
      await req.audit({ action: 'analysis.submit', object: `class ${body.class}`, outcome: 'refused', pseudonyms: [...body.pseudonyms], detail: { code: p.code } });
      throw p;
    }
    // The job's record and its audit entries are appended in one turn: one group commit, as for
    // POST /jobs, so the analysis is never on disk without the entry admitting its patients.
    const { answer: r, durable } = driver.submitNow(job);
    await Promise.all([durable, auditSubmission(req, 'analysis.submit', job, r, { class: body.class, account: job.account, partition: job.partition, qos: job.qos })]);
    if (!r.ok) throw rejection(r.error);
    return reply.code(201).send(r.value);
  } });

  /** Runs being taken in now: a concurrent repeat waits for the first rather than submitting twice. */
  const taking = new Map<string, Promise<RunRecord>>();

  const takeIn = async (req: FastifyRequest, body: RunRequest, request: string): Promise<RunRecord> => {
    // Every sample is checked before any is submitted: a malformed run submits nothing. The
    // jobs are built BUILD_CHUNK samples a turn (building changes nothing), so a run of 96
    // samples does not hold passes and agents' reports behind it for all of its building.
    const jobs: JobSpec[] = [];
    for (const [i, s] of body.samples.entries()) {
      if (i > 0 && i % BUILD_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        jobs.push(buildAnalysis(sampleRequest(s, body.lab as Lab, body.run, i)));
      } catch (err) {
        if (err instanceof PipelineError) throw pipelineProblem(err, `samples[${i}].`);
        throw err;
      }
    }
    // Submitted in order (the core files them in this order). The jobs, their audit entries and
    // the run's record (which makes a retried run a replay) are appended in this one turn: one
    // group commit holds them all, so a crash leaves either the whole run or none of it.
    const submitted = jobs.map((job) => driver.submitNow(job));
    const results = submitted.map((s) => s.answer);
    const analyses: RunAnalysis[] = [];
    const outcomes: RunSampleOutcome[] = [];
    for (const [i, r] of results.entries()) {
      const base = { sample: i, class: (body.samples[i] as Sample).class };
      outcomes.push({ ...base, job: jobs[i] as JobSpec, r });
      if (r.ok) analyses.push({ ...base, jobId: r.value.jobIds[0] as number, displayId: r.value.displayIds[0] as string });
      else analyses.push({ ...base, error: { code: r.error.code, message: r.error.message, ...(r.error.field ? { field: r.error.field } : {}) } });
    }
    const record: RunRecord = { run: body.run, lab: body.lab, request, analyses, at: driver.clock.now() };
    await Promise.all([...submitted.map((s) => s.durable), auditRunSamples(req, body, outcomes), driver.store.putRun(record)]);
    return record;
  };

  app.route({ ...runRoute(), handler: async (req, reply) => {
    const body = req.body;
    const request = JSON.stringify({ lab: body.lab, samples: body.samples });
    const same = (r: RunRecord): RunRecord => {
      if (r.request !== request) {
        throw new ApiProblem('RUN_CONFLICT', `run ${body.run} was already taken in with different samples; a run id names one sequencing run`, 'run');
      }
      return r;
    };
    const pseudonyms = body.samples.flatMap((s) => s.pseudonyms ?? (s.pseudonym === undefined ? [] : [s.pseudonym]));
    const audit = (outcome: string, detail: AuditDetail) => req.audit({ action: 'run.submit', object: `run ${body.run}`, outcome, pseudonyms, detail: { lab: body.lab, samples: body.samples.length, ...detail } });
    let record: RunRecord;
    let created = false;
    try {
      const known = driver.store.run(body.run);
      const inFlight = taking.get(body.run);
      if (known) record = same(known);
      else if (inFlight) record = same(await inFlight);
      else {
        const p = takeIn(req, body, request);
        taking.set(body.run, p);
        try {
          record = await p;
          created = true;
        } finally {
          taking.delete(body.run);
        }
      }
    } catch (err) {
      await audit('refused', { code: err instanceof ApiProblem ? err.code : 'INTERNAL' });
      throw err;
    }
    const reply_ = answer(record, created);
    await audit(created ? 'ok' : 'replayed', { submitted: reply_.submitted, refused: reply_.refused });
    return reply.code(created ? 201 : 200).send(reply_);
  } });
}
