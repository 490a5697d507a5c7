// Every value in the state folder is framed with a CRC-32 of its key and its msgpack body, and
// checked on every read: a flipped bit or a torn page in lmdb's file becomes a refusal that
// names the record, never a silently different value.
import { crc32 } from 'node:zlib';
import { Packr } from 'msgpackr';
import { RecordCorruptError } from './errors.js';

/** Plain msgpack maps: a record decodes on its own, without structures kept elsewhere. */
const packr = new Packr({ useRecords: false, moreTypes: false });

const CRC_BYTES = 4;

export type Key = number | string;

function keySeed(key: Key): number {
  if (typeof key === 'string') return crc32(key);
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(key);
  return crc32(b);
}

/**
 * Where every pack starts. msgpackr otherwise writes into one buffer shared by all its packers,
 * grown to four times the largest value it has packed and reallocated at that size whenever it
 * fills: after a 60,000-analysis burst's intake packed a 14 MB journal group, each later pack
 * cost several times as much per byte, and packing grew faster than anything else in the
 * scheduler's CPU profiles from 20,000 to 60,000 analyses. The body is copied out at once, so the arena is free again by the
 * next pack; a value larger than it gets a buffer of its own, dropped after.
 */
const ARENA = Buffer.allocUnsafeSlow(64 * 1024);

/** The framed bytes for `value` under `key`. */
export function frame(key: Key, value: unknown): Buffer {
  packr.useBuffer(ARENA);
  const body = packr.pack(value);
  const out = Buffer.allocUnsafe(CRC_BYTES + body.length);
  out.writeUInt32LE(crc32(body, keySeed(key)), 0);
  body.copy(out, CRC_BYTES);
  // Another packer in this thread (lmdb's own) must not write into the arena and keep a view
  // of it past our next pack: from the arena's end, msgpackr starts it a buffer of its own.
  packr.position = ARENA.length;
  return out;
}

/** The value framed in `bytes`; throws RecordCorruptError naming `db` and `key` if it fails its check. */
export function unframe<T>(db: string, key: Key, bytes: Uint8Array): T {
  if (bytes.length < CRC_BYTES + 1) throw new RecordCorruptError(db, key, `it holds ${bytes.length} bytes, too few for a record`);
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const body = buf.subarray(CRC_BYTES);
  const want = buf.readUInt32LE(0);
  if (crc32(body, keySeed(key)) !== want) throw new RecordCorruptError(db, key, 'its checksum does not match its contents');
  try {
    return packr.unpack(body) as T;
  } catch (err) {
    throw new RecordCorruptError(db, key, `it cannot be decoded (${(err as Error).message})`);
  }
}
