// The consent gate, not bypassable: purpose from where the job runs, patient data only with
// pseudonyms named, the gate at submission and again at dispatch, running work stopped on a
// restriction or withdrawal, and held work released or cancelled (ConsentWithdrawn) in time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consentAllows } from './vocabulary.js';
import { cluster, Harness, HOUR, job } from './testing.js';
import type { ConsentStatus, Decision, JobSpec, Purpose } from './types.js';

const DAY = 24 * HOUR;
const config = () => cluster().container('c1', 2, 8).consent({ holdLimitMs: 7 * DAY }).accounts([
  { name: 'a', shares: 1 },
  { name: 'lab', shares: 1, qos: ['normal', 'low'] },
  { name: 'science', shares: 1, purpose: 'research', partitions: ['research', 'clinical'] },
  { name: 'science-sub', parent: 'science', shares: 1 },
]).build();

function refusal(h: Harness, spec: JobSpec) {
  const r = h.apply({ type: 'submit', job: spec });
  return r.ok ? null : r.error;
}

describe('purpose follows the partition and the account', () => {
  it('makes a job on the research partition or a research account research, with or without a declared purpose', () => {
    const h = new Harness(config());
    h.apply({ type: 'consent', pseudonym: 'p1', status: 'restricted' });
    // Restricted to treatment: research refused whatever it declares, naming the rule.
    const onResearch = job().partition('research').patient('p1').task(1).spec();
    delete onResearch.purpose;
    expect(refusal(h, onResearch)).toMatchObject({ code: 'CONSENT_RESTRICTED', field: 'pseudonyms[0]', message: expect.stringMatching(/restricted .* own treatment/) });
    expect(refusal(h, job().partition('research').purpose('research').patient('p1').task(1).spec())).toMatchObject({ code: 'CONSENT_RESTRICTED' });
    expect(refusal(h, job().partition('research').purpose('treatment').patient('p1').task(1).spec())).toMatchObject({ code: 'PURPOSE_MISMATCH', field: 'purpose' });
    // A research account (inherited by its children) on the clinical partition: research too.
    expect(refusal(h, job().account('science-sub').purpose('treatment').patient('p1').task(1).spec())).toMatchObject({ code: 'PURPOSE_MISMATCH', message: expect.stringContaining('account "science-sub"') });
    const sub = job().account('science-sub').patient('p1').task(1).spec();
    delete sub.purpose;
    expect(refusal(h, sub)).toMatchObject({ code: 'CONSENT_RESTRICTED' });
    // Treatment on the clinical partition is fine for a restricted patient.
    const ids = h.submit(job().patient('p1').task(1).spec());
    expect(h.core.job(ids[0] as number)?.purpose).toBe('treatment');
    const plain = job().partition('research').task(1).spec();
    delete plain.purpose;
    const r = h.submit(plain);
    expect(h.core.job(r[0] as number)?.purpose).toBe('research');
  });

  it('refuses a data-reading kernel or analysis class that names no pseudonym', () => {
    const h = new Harness(config());
    expect(refusal(h, job().research().task(1, HOUR, { kernel: 'align' }).spec())).toMatchObject({ code: 'PSEUDONYMS_REQUIRED', field: 'pseudonyms', message: expect.stringContaining('align') });
    expect(refusal(h, { ...job().research().task(1).spec(), class: 'wgs-single' })).toMatchObject({ code: 'PSEUDONYMS_REQUIRED' });
    expect(refusal(h, job().research().task(1, HOUR, { kernel: 'noop' }).spec())).toBeNull();
    expect(refusal(h, job().research().task(1, HOUR, { kernel: 'simulate' }).spec())).toBeNull();
  });

  it('lets an account use only the QoS and partitions the config gives it', () => {
    const h = new Harness(config());
    expect(refusal(h, job().account('lab').urgent().task(1).spec())).toMatchObject({ code: 'QOS_NOT_ALLOWED', field: 'qos' });
    expect(refusal(h, job().account('lab').task(1).spec())).toBeNull();
    expect(refusal(h, job().account('a').urgent().task(1).spec())).toBeNull();
  });
});

describe('consent at run time', () => {
  function running(h: Harness, id: number): boolean {
    return h.core.job(id)?.state === 'RUNNING';
  }

  it('stops a running research task within one pass when its patient restricts, keeps treatment running, releases on a new grant', () => {
    const h = new Harness(config());
    h.apply({ type: 'consent', pseudonym: 'p1', status: 'granted' });
    const [research] = h.submit(job().research().patient('p1').task(1, 100 * HOUR).spec()) as [number];
    const [treatment] = h.submit(job().patient('p1').task(1, 100 * HOUR).spec()) as [number];
    h.pass();
    expect(running(h, research) && running(h, treatment)).toBe(true);
    h.now = HOUR;
    h.apply({ type: 'consent', pseudonym: 'p1', status: 'restricted' });
    const d = h.pass();
    expect(d).toContainEqual(expect.objectContaining({ type: 'preempt', jobId: research, reason: 'consent' }));
    expect(d.some((x) => x.jobId === treatment)).toBe(false);
    expect(h.core.job(research)).toMatchObject({ state: 'PENDING', reason: 'ConsentHold' });
    expect(running(h, treatment)).toBe(true);
    h.now = 2 * HOUR;
    h.apply({ type: 'consent', pseudonym: 'p1', status: 'granted' });
    expect(h.pass()).toContainEqual(expect.objectContaining({ type: 'start', jobId: research }));
  });

  it('stops all of the patient\'s work on a withdrawal, and cancels what is still held after the limit (ConsentWithdrawn)', () => {
    const h = new Harness(config());
    h.apply({ type: 'consent', pseudonym: 'p2', status: 'granted' });
    const [treatment] = h.submit(job().patient('p2').task(1, 200 * HOUR).spec()) as [number];
    const [other] = h.submit(job().task(1, 200 * HOUR).spec()) as [number];
    h.pass();
    h.now = HOUR;
    h.apply({ type: 'consent', pseudonym: 'p2', status: 'withdrawn' });
    const step = h.core.schedule(h.now);
    expect(step.decisions).toContainEqual(expect.objectContaining({ type: 'preempt', jobId: treatment, reason: 'consent' }));
    expect(step.wakeAt).toBe(HOUR + 7 * DAY);
    expect(h.core.job(treatment)?.reason).toBe('ConsentHold');
    expect(running(h, other)).toBe(true);
    const late = h.core.schedule(HOUR + 7 * DAY);
    expect(late.decisions).toContainEqual({ type: 'jobEnded', jobId: treatment, state: 'CANCELLED' });
    expect(h.core.job(treatment)).toMatchObject({ state: 'CANCELLED', endReason: 'ConsentWithdrawn' });
  });

  it('reaches every unended reader of a patient, in submission order, however many read them and whichever ended', () => {
    const h = new Harness(config());
    h.apply({ type: 'consent', pseudonym: 'p6', status: 'granted' });
    // One reader, then three (one naming the patient twice), then the first cancelled.
    const ids = [0, 1, 2].map((k) => (h.submit((k === 1 ? job().patient('p6').patient('p6') : job().patient('p6')).task(1, 200 * HOUR).spec()) as [number])[0]);
    h.pass();
    h.apply({ type: 'cancel', jobId: ids[0] as number });
    h.pass();
    h.now = HOUR;
    h.apply({ type: 'consent', pseudonym: 'p6', status: 'withdrawn' });
    const preempted = h.core.schedule(h.now).decisions.filter((d) => d.type === 'preempt').map((d) => d.jobId);
    expect(preempted).toEqual([ids[1], ids[2]]);
    for (const id of ids.slice(1)) expect(h.core.job(id as number)?.reason).toBe('ConsentHold');
    // Both end: the patient has no reader left, and a new one is reached alone.
    for (const id of ids.slice(1)) h.apply({ type: 'cancel', jobId: id as number });
    h.apply({ type: 'consent', pseudonym: 'p6', status: 'granted' });
    const [late] = h.submit(job().patient('p6').task(1, 200 * HOUR).spec()) as [number];
    h.pass();
    h.apply({ type: 'consent', pseudonym: 'p6', status: 'withdrawn' });
    expect(h.core.schedule(h.now).decisions).toContainEqual(expect.objectContaining({ type: 'preempt', jobId: late, reason: 'consent' }));
  });

  it('holds a waiting job when consent changes, and counts the limit from the latest hold', () => {
    const h = new Harness(cluster().container('c1', 1, 1).consent({ holdLimitMs: 10 * HOUR }).build());
    h.apply({ type: 'consent', pseudonym: 'p4', status: 'granted' });
    h.submit(job().task(1, 500 * HOUR).spec());
    const [waiting] = h.submit(job().research().patient('p4').task(1).spec()) as [number];
    h.pass();
    h.apply({ type: 'consent', pseudonym: 'p4', status: 'restricted' });
    h.core.schedule(0);
    expect(h.core.job(waiting)?.reason).toBe('ConsentHold');
    h.core.apply({ type: 'consent', pseudonym: 'p4', status: 'granted' }, 5 * HOUR);
    h.core.apply({ type: 'consent', pseudonym: 'p4', status: 'restricted' }, 8 * HOUR);
    expect(h.core.schedule(12 * HOUR).decisions.some((d) => d.type === 'jobEnded')).toBe(false);
    expect(h.core.schedule(18 * HOUR).decisions).toContainEqual({ type: 'jobEnded', jobId: waiting, state: 'CANCELLED' });
  });
});

describe('consent property', () => {
  it('never starts or keeps running work the consent does not allow, and resolves every hold within its limit', () => {
    const LIMIT = 5 * HOUR;
    const PATIENTS = ['pa', 'pb', 'pc'];
    const step = fc.oneof(
      fc.record({ kind: fc.constant('submit' as const), research: fc.boolean(), declare: fc.boolean(), patients: fc.subarray(PATIENTS, { minLength: 1 }), hours: fc.integer({ min: 1, max: 12 }), tasks: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('consent' as const), patient: fc.constantFrom(...PATIENTS), status: fc.constantFrom<ConsentStatus>('granted', 'restricted', 'withdrawn') }),
      fc.record({ kind: fc.constant('time' as const), hours: fc.integer({ min: 0, max: 8 }) }),
    );
    let checkedPasses = 0;
    let stops = 0;
    let expired = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 5, maxLength: 60 }), fc.constantFrom('fcfs', 'easy', 'conservative'), (steps, policy) => {
        const h = new Harness(cluster().container('c1', 2, 4).policy(policy as 'easy').consent({ holdLimitMs: LIMIT }).build());
        const consent = new Map<string, ConsentStatus>();
        const jobs = new Map<number, { purpose: Purpose; patients: string[]; blockedSince: number | null }>();
        const allowed = (j: { purpose: Purpose; patients: string[] }) => j.patients.every((p) => consentAllows(j.purpose, consent.get(p)));
        const check = (decisions: Decision[]) => {
          checkedPasses++;
          for (const d of decisions) {
            const j = jobs.get(d.jobId);
            if (!j) continue;
            if (d.type === 'start') expect(allowed(j), `started job ${d.jobId} without consent`).toBe(true);
            if (d.type === 'preempt' && d.reason === 'consent') stops++;
            if (d.type === 'jobEnded' && h.core.job(d.jobId)?.endReason === 'ConsentWithdrawn') {
              expired++;
              expect(j.blockedSince, `job ${d.jobId} cancelled though never held`).not.toBeNull();
              expect(h.now - (j.blockedSince as number), `job ${d.jobId} cancelled before its limit`).toBeGreaterThanOrEqual(LIMIT);
            }
          }
          for (const [id, j] of jobs) {
            const v = h.core.job(id);
            if (!v) continue;
            if (v.state === 'RUNNING') expect(allowed(j), `job ${id} still running without consent`).toBe(true);
            if (v.state === 'PENDING' && j.blockedSince !== null) expect(h.now - j.blockedSince, `job ${id} held past its limit`).toBeLessThan(LIMIT);
          }
        };
        h.onPass = (_h, d) => check(d);
        for (const s of steps) {
          if (s.kind === 'consent') {
            h.apply({ type: 'consent', pseudonym: s.patient, status: s.status });
            consent.set(s.patient, s.status);
            for (const j of jobs.values()) {
              if (!j.patients.includes(s.patient)) continue;
              if (allowed(j)) j.blockedSince = null;
              else j.blockedSince ??= h.now;
            }
          } else if (s.kind === 'submit') {
            const b = job().patient(...s.patients);
            if (s.research) b.partition('research');
            for (let i = 0; i < s.tasks; i++) b.task(1, s.hours * HOUR);
            const spec = b.spec();
            if (!s.declare) delete spec.purpose;
            else if (s.research) spec.purpose = 'research';
            const r = h.apply({ type: 'submit', job: spec });
            const purpose: Purpose = s.research ? 'research' : 'treatment';
            // The gate at submission agrees with the rules.
            expect(r.ok, JSON.stringify(r)).toBe(allowed({ purpose, patients: s.patients }));
            if (r.ok) for (const id of r.jobIds ?? []) jobs.set(id, { purpose, patients: s.patients, blockedSince: null });
          } else {
            h.run(h.now + s.hours * HOUR);
          }
          h.pass();
        }
        h.run(h.now + 2 * LIMIT);
      }),
      { numRuns: 150 },
    );
    // The property reached the cases it is about.
    expect(stops).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
    expect(checkedPasses).toBeGreaterThan(1000);
  });
});
