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

/** The framed bytes for `value` under `key`. */
export function frame(key: Key, value: unknown): Buffer {
  const body = packr.pack(value);
  const out = Buffer.allocUnsafe(CRC_BYTES + body.length);
  out.writeUInt32LE(crc32(body, keySeed(key)), 0);
  body.copy(out, CRC_BYTES);
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
