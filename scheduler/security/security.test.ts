// The security layer's parts on their own: CPR recognition, keyed pseudonyms, hashed tokens,
// the audit chain (and its tamper detection) and the rate limiter, on real lmdb in a temp folder.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { open, type Database, type RootDatabase } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { ChainHmac } from './audit.js';
import { AuditLog, ConsentRegistry, Pseudonymizer, RateLimiter, Security, containsCpr, cprPathIn, nestedDeeperThan, newTokenId, normalizeCpr, scanBody, scrubCpr, type ConsentRecord } from './index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'gsched-sec-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('CPR numbers', () => {
  it('recognises both shapes anywhere in a text, and nothing that is not a date', () => {
    for (const t of ['010203-1234', '0102031234', 'sample 311299-0001 x', 'a3112991234b']) expect(containsCpr(t), t).toBe(true);
    for (const t of ['1764639142000', '321299-1234', '011399-1234', '01020312345', 'job-42', '2026-12-01', '12345']) expect(containsCpr(t), t).toBe(false);
    expect(scrubCpr('patient 010203-1234 and 0405061234.')).toBe('patient [CPR] and [CPR].');
    expect(normalizeCpr(' 010203-1234 ')).toBe('0102031234');
    expect(normalizeCpr('x010203-1234')).toBeNull();
  });

  it('finds the first field holding one in a JSON tree, skipping the allowed field', () => {
    expect(cprPathIn({ name: 'ok', tasks: [{ name: 't' }, { name: 'for 010203-1234' }] })).toBe('tasks[1].name');
    expect(cprPathIn({ cpr: '010203-1234', note: 'x' }, ['cpr'])).toBeNull();
    expect(cprPathIn({ note: { '0102031234': 1 } })).toBe('note.(a key)');
    expect(cprPathIn('010203-1234')).toBe('(body)');
    expect(cprPathIn([1, ['x', '0102031234']])).toBe('[1][1]');
    expect(cprPathIn({ a: [{ b: { c: 'id 010203-1234' } }], d: '0102031234' })).toBe('a[0].b.c');
    expect(cprPathIn({ '0102031234': 1 })).toBe('(a key)');
    expect(cprPathIn({ a: [{ b: { c: 'id 010203-123' } }], n: 1020312345, short: '01020312' })).toBeNull();
  });

  it('scanBody gives what nestedDeeperThan and cprPathIn give, in one walk, and too deep wins', () => {
    const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : depth % 2 === 0 ? [nest(depth - 1, leaf)] : { k: nest(depth - 1, leaf) });
    // Too deep is reported whatever CPR-shaped text comes before it, and inside a skipped field too.
    expect(scanBody({ a: 'x 010203-1234', b: nest(5, 1) }, 4)).toEqual({ tooDeep: true });
    expect(scanBody({ cpr: nest(5, '010203-1234') }, 4, ['cpr'])).toEqual({ tooDeep: true });
    expect(scanBody({ b: nest(3, 'ok') }, 4)).toEqual({ tooDeep: false, cprAt: null });
    expect(scanBody({ a: [{ b: { c: 'id 010203-1234' } }], d: '0102031234' }, 32)).toEqual({ tooDeep: false, cprAt: 'a[0].b.c' });
    const leaves = fc.oneof(fc.constantFrom('010203-1234', '0102031234', 'job-7', 'x'), fc.integer(), fc.boolean(), fc.constant(null));
    const keys = fc.constantFrom('a', 'b', 'cpr', '0405061234', 'name');
    const bodies = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaves, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(keys, tie('node'), { maxKeys: 3 })),
    })).node;
    let deep = 0;
    let hits = 0;
    fc.assert(
      fc.property(bodies, fc.integer({ min: 1, max: 5 }), fc.boolean(), (body, max, skipCpr) => {
        const skip = skipCpr ? ['cpr'] : [];
        const scan = scanBody(body, max, skip);
        if (nestedDeeperThan(body, max)) {
          deep++;
          return scan.tooDeep === true;
        }
        const at = cprPathIn(body, skip);
        if (at !== null) hits++;
        return !scan.tooDeep && scan.cprAt === at;
      }),
      { numRuns: 400, seed: 11 },
    );
    // The property met both cases, not only the plain one.
    expect(deep).toBeGreaterThan(20);
    expect(hits).toBeGreaterThan(20);
  });

  it('never makes a pseudonym that looks like a CPR number, and the same patient gets the same one', () => {
    const p = new Pseudonymizer(Buffer.alloc(32, 7));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 999_999 }), (d, m, rest) => {
        const cpr = `${String(d).padStart(2, '0')}${String(m).padStart(2, '0')}${String(rest).padStart(6, '0')}`;
        const ps = p.of(cpr);
        expect(ps).toMatch(/^p_[A-Za-z]{24}$/);
        expect(containsCpr(ps as string)).toBe(false);
        expect(p.of(`${cpr.slice(0, 6)}-${cpr.slice(6)}`)).toBe(ps);
      }),
      { numRuns: 300 },
    );
    expect(new Pseudonymizer(Buffer.alloc(32, 8)).of('0102031234')).not.toBe(p.of('0102031234'));
  });
});

describe('tokens', () => {
  it('never gets an id that looks like a CPR number (the API would refuse it in a path)', () => {
    // 31 12 99 12 34: a CPR-shaped id, drawn first; then an ordinary one.
    const draws = [Buffer.from([0x31, 0x12, 0x99, 0x12, 0x34]), Buffer.from([0xab, 0x01, 0x02, 0x03, 0x04])];
    expect(containsCpr('t_3112991234')).toBe(true);
    expect(newTokenId(() => draws.shift() as Buffer)).toBe('t_ab01020304');
    expect(newTokenId()).toMatch(/^t_[0-9a-f]{10}$/);
  });

  it('keeps only hashes: a token verifies until revoked; the first start writes an admin token file (600)', () => {
    const dir = tempDir();
    const sec = Security.open(dir);
    sec.bootstrap();
    expect(statSync(join(dir, 'api-token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'site-secret')).mode & 0o777).toBe(0o600);
    expect(sec.tokens.list()).toEqual([expect.objectContaining({ name: 'admin', role: 'admin', revokedAt: null })]);
    const { token, record } = sec.tokens.create({ role: 'submitter', accounts: ['a1'], name: 'alice', createdBy: 'admin' });
    expect(JSON.stringify(sec.tokens.list())).not.toContain(token);
    expect(sec.tokens.verify(token)).toEqual({ id: record.id, name: 'alice', role: 'submitter', accounts: ['a1'] });
    expect(sec.tokens.verify(`${token}x`)).toBeNull();
    expect(() => sec.tokens.create({ role: 'submitter', createdBy: 'admin' })).toThrow(/at least one account/);
    expect(() => sec.tokens.create({ role: 'viewer', accounts: ['a1'], createdBy: 'admin' })).toThrow(/only submitter/);
    expect(() => sec.tokens.create({ role: 'viewer', name: 'bad name!', createdBy: 'admin' })).toThrow(/letters/);
    sec.tokens.revoke(record.id);
    expect(sec.tokens.verify(token)).toBeNull();
    void sec.close();
  });
});

async function auditWith(n: number): Promise<{ root: RootDatabase; log: AuditLog; db: ReturnType<RootDatabase['openDB']> }> {
  const root = open({ path: join(tempDir(), 'a.lmdb') });
  const db = root.openDB<string, number>({ name: 'audit', encoding: 'string' });
  const log = new AuditLog(db, Buffer.alloc(32, 1));
  for (let i = 0; i < n; i++) await log.append({ actor: { id: 't_1', name: 'alice', role: 'submitter' }, client: '127.0.0.1', action: 'job.submit', object: `job ${i + 1}`, outcome: 'ok', pseudonyms: i % 2 ? ['p_x'] : [] });
  return { root, log, db };
}

describe('audit log', () => {
  it('seals the last entry of every batch with its head, entries of one turn and of many alike, and a reopened log continues the chain', async () => {
    const root = open({ path: join(tempDir(), 'a.lmdb') });
    const db = root.openDB<string, number>({ name: 'audit', encoding: 'string' });
    const log = new AuditLog(db, Buffer.alloc(32, 1));
    const entry = (i: number) => ({ actor: { id: 't_1', name: 'alice', role: 'submitter' }, client: '127.0.0.1', action: 'job.submit', object: `job ${i}`, outcome: 'ok' });
    const head = (): unknown => JSON.parse(db.get(0) as string);
    // Fifty in one turn: one batch.
    const last = (await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(entry(i))))).at(-1);
    expect(head()).toEqual({ seq: 50, hash: last?.hash });
    expect(log.verify()).toMatchObject({ ok: true, entries: 50 });
    // One per turn, each awaited, then some not awaited before the next turn's.
    for (let i = 0; i < 5; i++) await log.append(entry(50 + i));
    const spread: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) {
      spread.push(log.append(entry(55 + i)));
      await new Promise<void>((r) => setImmediate(r));
    }
    await Promise.all(spread);
    await log.drained();
    expect(log.verify()).toMatchObject({ ok: true, entries: 60 });
    const again = new AuditLog(db, Buffer.alloc(32, 1));
    await again.append(entry(60));
    expect(again.verify()).toMatchObject({ ok: true, entries: 61 });
    expect((head() as { seq: number }).seq).toBe(61);
    await root.close();
  });

  it('kept with the journal: entries an older scheduler wrote to security.lmdb are moved into the data file once, and the chain goes on', async () => {
    const dir = tempDir();
    const entry = (i: number) => ({ actor: { id: 't_1', name: 'alice', role: 'submitter' }, client: null, action: 'job.submit', object: `job ${i}`, outcome: 'ok' });
    const old = Security.open(dir);
    for (let i = 0; i < 5; i++) await old.audit.append(entry(i));
    const oldHead = old.audit.verify();
    await old.close();
    const ownEntries = (): number => {
      const env = open({ path: join(dir, 'security.lmdb') });
      let n = 0;
      for (const _ of env.openDB<string, number>({ name: 'audit', encoding: 'string' }).getKeys()) n++;
      void env.close();
      return n;
    };
    // The first start with the store: copied (the old ones stay until the copy was read back after a restart).
    let store = new Store(dir);
    let sec = Security.open(dir, store.auditTarget());
    expect(sec.audit.verify()).toEqual(oldHead);
    await sec.audit.append(entry(5));
    expect(sec.audit.verify()).toMatchObject({ ok: true, entries: 6 });
    expect(store.auditEntries().get(6)).toContain('"object":"job 5"');
    await sec.close();
    await store.close();
    expect(ownEntries()).toBe(6); // 5 entries and their head
    // The next start: the moved entries are read from the data file and the old ones dropped.
    store = new Store(dir);
    sec = Security.open(dir, store.auditTarget());
    expect(ownEntries()).toBe(0);
    expect(sec.audit.query().map((e) => e.object)).toEqual(['job 0', 'job 1', 'job 2', 'job 3', 'job 4', 'job 5']);
    await sec.audit.append(entry(6));
    expect(sec.audit.verify()).toMatchObject({ ok: true, entries: 7 });
    await sec.close();
    await store.close();
  });

  it('resolves an append only once lmdb reports the entry synced to disk, not merely committed (the journal waits for its sync too)', async () => {
    const root = open({ path: join(tempDir(), 'a.lmdb') });
    const real = root.openDB<string, number>({ name: 'audit', encoding: 'string' });
    // A power cut cannot be staged here: hold lmdb's sync report back instead.
    let sync = (): void => undefined;
    const synced = new Promise<void>((r) => (sync = r));
    const db = new Proxy(real, { get: (t, k) => (k === 'flushed' ? synced : Reflect.get(t, k, t) as unknown) });
    const log = new AuditLog(db, Buffer.alloc(32, 1));
    let done = false;
    const appended = log.append({ actor: { id: 't_1', name: 'alice', role: 'submitter' }, client: null, action: 'job.submit', object: 'job 1', outcome: 'ok' }).then(() => (done = true));
    await real.committed;
    await new Promise<void>((r) => setTimeout(r, 20));
    expect(real.get(1)).toBeDefined(); // committed and visible...
    expect(done).toBe(false); // ...but not yet reported synced
    sync();
    await appended;
    expect(done).toBe(true);
    await root.close();
  });

  it('stores each entry as JSON.stringify of it, hashed as the HMAC of its fields in the fixed order (the format older logs were written in)', async () => {
    const root = open({ path: join(tempDir(), 'a.lmdb') });
    const db = root.openDB<string, number>({ name: 'audit', encoding: 'string' });
    const key = Buffer.alloc(32, 1);
    const log = new AuditLog(db, key, () => 1_764_680_000_123);
    const odd = 'quote " backslash \\ newline \n tab \t unicode æøå \u2028 emoji 🧬';
    const entries = [
      await log.append({ actor: { id: 't_1', name: 'alice', role: 'submitter' }, client: '127.0.0.1', action: 'job.submit', object: 'job 1', outcome: 'ok' }),
      await log.append({ actor: { id: 't_2', name: odd, role: 'admin' }, client: null, action: 'consent.admit', object: odd, outcome: 'admitted', pseudonyms: ['p_a', 'p_b'], detail: { purpose: 'treatment', n: 3, ok: true, none: null, list: ['x', odd] } }),
      // the API's form: actor and client apart from the entry
      await log.append({ action: 'job.submit', object: 'job 3', outcome: 'ok', detail: { account: 'a' } }, { id: 't_3', name: 'bob', role: 'submitter' }, '::1'),
    ];
    let prev = '0'.repeat(64);
    for (const e of entries) {
      expect(db.get(e.seq)).toBe(JSON.stringify(e));
      const text = JSON.stringify([e.seq, e.at, e.actor.id, e.actor.name, e.actor.role, e.client, e.action, e.object, e.outcome, e.pseudonyms, e.detail, prev]);
      expect(e.prev).toBe(prev);
      expect(e.hash).toBe(createHmac('sha256', key).update(text).digest('hex'));
      prev = e.hash;
    }
    expect(entries[2]).toMatchObject({ actor: { id: 't_3', name: 'bob', role: 'submitter' }, client: '::1', pseudonyms: [], detail: { account: 'a' } });
    await log.drained();
    expect(log.verify()).toMatchObject({ ok: true, entries: 3 });
    await root.close();
  });

  it('hashes with ChainHmac exactly as createHmac does: keys shorter than, as long as and longer than a block, any text, again and again', () => {
    const texts = ['', 'job 1', 'æøå \u2028 🧬 "quoted"', 'x'.repeat(5000), 'é'.repeat(3000), 'job 2'];
    for (const len of [0, 1, 32, 64, 65, 200]) {
      const key = Buffer.alloc(len, 0).map((_, i) => (i * 37 + len) & 0xff);
      const h = new ChainHmac(Buffer.from(key));
      for (const t of texts) expect(h.hex(t), `key of ${len} bytes, text of ${t.length}`).toBe(createHmac('sha256', key).update(t).digest('hex'));
    }
  });

  it('writes an actor or client that changed since its last entry as it is now, not as it was', async () => {
    const root = open({ path: join(tempDir(), 'a.lmdb') });
    const db = root.openDB<string, number>({ name: 'audit', encoding: 'string' });
    const log = new AuditLog(db, Buffer.alloc(32, 1));
    const actor = { id: 't_1', name: 'alice', role: 'submitter' };
    const entry = { action: 'job.submit', object: 'job 1', outcome: 'ok' };
    await log.append(entry, actor, '10.0.0.1');
    actor.name = 'alice2';
    actor.role = 'operator';
    const second = await log.append(entry, actor, '10.0.0.2');
    const third = await log.append(entry, actor, null);
    expect(JSON.parse(db.get(2) as string)).toMatchObject({ actor: { id: 't_1', name: 'alice2', role: 'operator' }, client: '10.0.0.2' });
    expect(JSON.parse(db.get(3) as string)).toMatchObject({ actor: { name: 'alice2' }, client: null });
    expect([second.actor.name, third.client]).toEqual(['alice2', null]);
    await log.drained();
    expect(log.verify()).toMatchObject({ ok: true, entries: 3 });
    await root.close();
  });

  it('verifies an intact chain and filters by pseudonym and time', async () => {
    const { log, root } = await auditWith(6);
    expect(log.verify()).toMatchObject({ ok: true, entries: 6 });
    expect(log.query({ pseudonym: 'p_x' }).map((e) => e.seq)).toEqual([2, 4, 6]);
    expect(log.query({ since: Date.now() + 60_000 })).toEqual([]);
    expect(log.query({ after: 4 }).map((e) => e.seq)).toEqual([5, 6]);
    await root.close();
  });

  it('names the first bad entry when one is edited', async () => {
    const { log, db, root } = await auditWith(6);
    const e = JSON.parse(db.get(3) as string) as { object: string };
    await db.put(3, JSON.stringify({ ...e, object: 'job 99' }));
    expect(log.verify()).toMatchObject({ ok: false, firstBad: 3, reason: expect.stringMatching(/edited/) });
    await root.close();
  });

  it('names the first bad entry when one is inserted (entries after it renumbered)', async () => {
    const { log, db, root } = await auditWith(6);
    const entries = [1, 2, 3, 4, 5, 6].map((k) => JSON.parse(db.get(k) as string) as Record<string, unknown>);
    // A forger without the key: a plausible entry linked to entry 3, the rest moved up by one.
    const forged = { ...entries[2], seq: 4, object: 'job forged', prev: entries[2]?.hash };
    for (let k = 6; k >= 4; k--) await db.put(k + 1, JSON.stringify({ ...entries[k - 1], seq: k + 1 }));
    await db.put(4, JSON.stringify(forged));
    expect(log.verify()).toMatchObject({ ok: false, firstBad: 4 });
    await root.close();
  });

  it('names the first bad entry when one is removed, in the middle or at the end', async () => {
    const { log, db, root } = await auditWith(6);
    await db.remove(4);
    expect(log.verify()).toMatchObject({ ok: false, firstBad: 4, reason: expect.stringMatching(/removed/) });
    // Renumbered to hide the gap: the link breaks instead.
    const e5 = JSON.parse(db.get(5) as string) as Record<string, unknown>;
    const e6 = JSON.parse(db.get(6) as string) as Record<string, unknown>;
    await db.put(4, JSON.stringify({ ...e5, seq: 4 }));
    await db.put(5, JSON.stringify({ ...e6, seq: 5 }));
    await db.remove(6);
    expect(log.verify()).toMatchObject({ ok: false, firstBad: 4 });
    await root.close();
    const b = await auditWith(3);
    await b.db.remove(3);
    expect(b.log.verify()).toMatchObject({ ok: false, firstBad: 3, reason: expect.stringMatching(/removed/) });
    await b.root.close();
  });
});

describe('consent registry', () => {
  it('resolves a recorded change only once lmdb reports it synced to disk, not merely committed', async () => {
    const root = open({ path: join(tempDir(), 'c.lmdb') });
    const real: Database<ConsentRecord, string> = root.openDB<ConsentRecord, string>({ name: 'consent' });
    // A power cut cannot be staged here: hold lmdb's sync report back instead.
    let sync = (): void => undefined;
    const synced = new Promise<void>((r) => (sync = r));
    const db = new Proxy(real, { get: (t, k) => (k === 'flushed' ? synced : Reflect.get(t, k, t) as unknown) });
    const registry = new ConsentRegistry(db);
    let done = false;
    const recorded = registry.record('p_1', { action: 'grant', status: 'granted', at: 1, by: { id: 't_1', name: 'officer', role: 'consent-officer' }, documentRef: 'doc-1', note: null }).then(() => (done = true));
    await real.committed;
    await new Promise<void>((r) => setTimeout(r, 20));
    expect(real.get('p_1')).toMatchObject({ status: 'granted' }); // committed and visible...
    expect(done).toBe(false); // ...but not yet reported synced
    sync();
    await recorded;
    expect(done).toBe(true);
    await root.close();
  });
});

describe('rate limiter', () => {
  it('allows a burst, then one request per 1/rate, answering how long to wait', () => {
    let t = 0;
    const r = new RateLimiter({ perSecond: 10, burst: 3 }, () => t);
    expect([r.take('a'), r.take('a'), r.take('a')]).toEqual([0, 0, 0]);
    expect(r.take('a')).toBe(100);
    expect(r.take('b')).toBe(0);
    t = 100;
    expect(r.take('a')).toBe(0);
    expect(new RateLimiter({ perSecond: 0, burst: 1 }).take('x')).toBe(0);
  });
});
