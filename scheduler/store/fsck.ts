// `gsched fsck DIR`: reads a state folder without changing it and reports every damage found:
// the FORMAT file, the data file's size against its header, each record's checksum, and the
// journal's sequence (no gaps after the snapshot it continues), and the audit log's hash chain as
// far as it can be checked without the site key (numbering, readability, links, head).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StateCorruptError, StateDirError } from './errors.js';
import { walkChain } from '../../common/index.js';
import { AUDIT_HEAD, Store, type FramedDb } from './journal.js';
import { DATA_FILE, SCHEMA, checkDataFile, readDataHeader, readFormat, type FormatFile } from './layout.js';
import { unframe, type Key } from './records.js';

export interface FsckDb {
  name: string;
  records: number;
  damaged: number;
}

export interface FsckReport {
  dir: string;
  ok: boolean;
  schema: number | null;
  dataBytes: number | null;
  dbs: FsckDb[];
  /** Each problem as a sentence a user can act on. */
  problems: string[];
  /**
   * The state layout its latest snapshot's header names (null: none named; absent: no
   * readable snapshot). Not damage: the CLI compares it with its own build's, since a start
   * refuses another.
   */
  snapshotLayout?: string | null;
  /**
   * Whether the journal was never compacted (it starts at group 1): a start can then rebuild
   * from it alone when its snapshot is of another layout.
   */
  journalFromStart?: boolean;
}

const MAX_LISTED = 20;

export async function fsckStateDir(dir: string): Promise<FsckReport> {
  const report: FsckReport = { dir, ok: false, schema: null, dataBytes: null, dbs: [], problems: [] };
  if (!existsSync(dir)) {
    report.problems.push(`${dir} does not exist`);
    return report;
  }
  let format: FormatFile | null = null;
  try {
    format = readFormat(dir);
    report.schema = format?.schema ?? null;
    checkDataFile(dir, format);
  } catch (err) {
    report.problems.push(err instanceof StateCorruptError ? err.damage : (err as Error).message);
    return report;
  }
  const dataPath = join(dir, DATA_FILE);
  if (!existsSync(dataPath)) {
    report.ok = true;
    report.problems.push(`no data file: ${dir} holds no scheduler state yet`);
    return report;
  }
  report.dataBytes = readDataHeader(dataPath)?.sizeBytes ?? null;
  if (format === null) report.problems.push(`no FORMAT file: schema 1 or an unfinished first start; the next 'gsched up' brings it to schema ${SCHEMA}`);
  let store: Store;
  try {
    store = new Store(dir, { readOnly: true });
  } catch (err) {
    report.problems.push(err instanceof StateCorruptError ? err.damage : err instanceof StateDirError ? err.message : `the data file cannot be opened: ${(err as Error).message}`);
    return report;
  }
  try {
    const listed = { n: 0 };
    const note = (msg: string): void => {
      if (listed.n++ < MAX_LISTED) report.problems.push(msg);
      else if (listed.n === MAX_LISTED + 1) report.problems.push('… further damage not listed');
    };
    for (const db of [store.meta, store.journal, store.jobs, store.arrays, ...store.extraDbs()] as FramedDb<Key, unknown>[]) {
      const r: FsckDb = { name: db.name, records: 0, damaged: 0 };
      let prev: number | null = null;
      for (const { key, value } of db.rawRange()) {
        r.records++;
        try {
          unframe(db.name, key, value);
        } catch (err) {
          r.damaged++;
          note((err as Error).message);
        }
        if (db === store.journal && typeof key === 'number') {
          if (prev !== null && key !== prev + 1) note(`journal records ${prev + 1}-${key - 1} are missing`);
          prev = key;
        }
      }
      report.dbs.push(r);
    }
    const audit = store.auditEntriesIfAny();
    if (audit !== undefined) {
      // Each entry's HMAC needs the site key, which the state folder does not hold: `gsched
      // audit verify` checks those; a damaged link, gap or head shows here already.
      const verdict = walkChain(audit.getRange({ start: 1 }), audit.get(AUDIT_HEAD));
      report.dbs.push({ name: 'audit', records: audit.getCount({ start: 1 }), damaged: verdict.ok ? 0 : 1 });
      if (!verdict.ok) note(`the audit log is damaged at entry ${verdict.firstBad}: ${verdict.reason} (gsched audit verify checks every entry's hash)`);
    }
    const snap = store.snapshotMeta();
    const first = store.journal.firstKey();
    report.journalFromStart = store.journalFromStart();
    if (snap !== undefined) {
      if (first === undefined || first > snap.seq) note(`the journal lacks group ${snap.seq}, where its latest snapshot ${snap.id} was taken`);
      const snapDamage = report.dbs.find((d) => d.name === store.snaps.name)?.damaged ?? 0;
      if (snapDamage === 0) try {
        const loaded = store.loadSnapshot();
        if (loaded !== undefined) {
          const layout = (loaded.header as { layout?: unknown }).layout;
          report.snapshotLayout = typeof layout === 'string' ? layout : null;
        }
      } catch (err) {
        note(err instanceof StateCorruptError ? err.damage : (err as Error).message);
      }
    } else if (first !== undefined && first !== 1) note(`the journal starts at group ${first} but there is no snapshot: groups 1-${first - 1} are missing`);
  } finally {
    await store.close();
  }
  report.ok = report.problems.every((p) => p.startsWith('no FORMAT file'));
  return report;
}
