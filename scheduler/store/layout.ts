// The state folder's layout and the checks made before lmdb maps its data file.
//
//   <state>/FORMAT        {"format":"gsched-state","schema":N,"id":"…"}: written once the data
//                         file holds its first commit, so a folder with FORMAT once held state
//   <state>/gsched.lmdb   lmdb's data file (every value CRC-framed, see records.ts)
//
// lmdb maps the data file into memory: a file shorter than its own header says makes the
// process die of SIGBUS on the first read past the end, without a message. So the header is
// read with plain file reads first and the size checked against it.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SchemaTooNewError, StateCorruptError } from './errors.js';

/**
 * 1: msgpack values without checksums, no FORMAT file (before durable state).
 * 2: CRC-framed values, FORMAT file, meta db, snapshots.
 */
export const SCHEMA = 2;
export const DATA_FILE = 'gsched.lmdb';
/**
 * lmdb's page size for a new data file (one made before keeps its own: lmdb reads it from the
 * file). lmdb-js keeps the free pages in one sorted list and, committing, merges freed pages
 * into it an entry at a time: once a snapshot's compaction had freed a 60,000-analysis burst's
 * journal, perf found `mdb_midl_insert` under `mdb_freelist_save` the largest share of the
 * scheduler's CPU samples for minutes, in libuv's pool. At 16 KB a page the list holds a quarter
 * of the entries: in bench:ngc's live burst the scheduler's threads other than its main one and
 * the snapshot replica used 66.7 CPU-s (the quoted run) against 145-160 in three runs at 4 KB.
 */
export const DATA_PAGE_SIZE = 16_384;
export const FORMAT_FILE = 'FORMAT';

export interface FormatFile {
  format: 'gsched-state';
  schema: number;
  /** Also kept in the data file's meta db: a data file from another folder is refused. */
  id: string;
}

export function newFolderId(): string {
  return randomUUID();
}

/** The folder's FORMAT file, null when there is none; a damaged one is refused. */
export function readFormat(dir: string): FormatFile | null {
  const path = join(dir, FORMAT_FILE);
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new StateCorruptError(dir, `its ${FORMAT_FILE} file cannot be read (${(err as Error).message})`);
  }
  const f = parsed as Partial<FormatFile>;
  if (f?.format !== 'gsched-state' || !Number.isInteger(f.schema) || typeof f.id !== 'string') {
    throw new StateCorruptError(dir, `its ${FORMAT_FILE} file does not describe a gsched state folder`);
  }
  if ((f.schema as number) > SCHEMA) throw new SchemaTooNewError(dir, f.schema as number, SCHEMA);
  return f as FormatFile;
}

/** Writes FORMAT atomically (temp file, fsync, rename). */
export function writeFormat(dir: string, format: FormatFile): void {
  const tmp = join(dir, `${FORMAT_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(format)}\n`, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, FORMAT_FILE));
}

/** lmdb's meta page as this build writes it: 24-byte page header, then MDB_meta. */
const META = { magicAt: 24, lastPageAt: 144, txnAt: 152, pageSizeAt: 48 } as const;
const MDB_MAGIC = 0xbeefc0de;

export interface DataFileHeader {
  pageSize: number;
  lastPage: number;
  txnId: number;
  /** Bytes the newest meta page says the file holds at least. */
  needBytes: number;
  sizeBytes: number;
}

/** Reads the newer of the two meta pages; null when neither is valid. */
export function readDataHeader(path: string): DataFileHeader | null {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const metas: { pageSize: number; lastPage: number; txnId: number }[] = [];
    // The first meta page tells the page size; the second sits one page further.
    const head = Buffer.alloc(256);
    for (let page = 0, pageSize = 4096; page < 2; page++) {
      const at = page * pageSize;
      if (readSync(fd, head, 0, head.length, at) < 160) break;
      if (head.readUInt32LE(META.magicAt) !== MDB_MAGIC) continue;
      const ps = head.readUInt32LE(META.pageSizeAt);
      if (page === 0 && ps >= 512 && ps <= 65536) pageSize = ps;
      metas.push({ pageSize, lastPage: Number(head.readBigUInt64LE(META.lastPageAt)), txnId: Number(head.readBigUInt64LE(META.txnAt)) });
    }
    const meta = metas.sort((a, b) => b.txnId - a.txnId)[0];
    if (!meta) return null;
    return { ...meta, needBytes: (meta.lastPage + 1) * meta.pageSize, sizeBytes: size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses a data file that lmdb must not map: missing or empty where FORMAT says the folder
 * held state, a header that is not lmdb's, or a file shorter than its header says.
 */
export function checkDataFile(dir: string, format: FormatFile | null): void {
  const path = join(dir, DATA_FILE);
  if (!existsSync(path)) {
    if (format !== null) throw new StateCorruptError(dir, `it held scheduler state (see its ${FORMAT_FILE} file) but its data file ${DATA_FILE} is missing`);
    return;
  }
  const size = statSync(path).size;
  if (size === 0) {
    if (format !== null) throw new StateCorruptError(dir, `its data file ${DATA_FILE} is empty, but the folder held scheduler state (see its ${FORMAT_FILE} file)`);
    return;
  }
  const header = readDataHeader(path);
  if (header === null) throw new StateCorruptError(dir, `its data file ${DATA_FILE} does not start with a valid lmdb header (${size} bytes)`);
  if (header.sizeBytes < header.needBytes) {
    throw new StateCorruptError(dir, `its data file ${DATA_FILE} is truncated: it holds ${header.sizeBytes} bytes but its header needs ${header.needBytes}`);
  }
}
