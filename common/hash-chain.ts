// The walk of a hash chain stored as the audit log stores it: JSON entries under their sequence
// numbers 1..n, each naming the previous entry's hash (`prev`), and a head record sealing the
// last. The audit log verifies the chain with its key (each entry's HMAC); `gsched fsck` has no
// key and checks the rest: numbering, readability and links, which a damaged or truncated
// data file breaks as surely as an edit does.

/** The `prev` of the first entry. */
export const CHAIN_GENESIS = '0'.repeat(64);

/** The head record's text: the last entry's number and hash (walkChain and the audit log read it back). */
export function chainHeadText(seq: number, hash: string): string {
  return JSON.stringify({ seq, hash });
}

export type ChainVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; firstBad: number; reason: string };

/** What the walk hands the hash check: a parsed entry, its `hash` field apart. */
export interface ChainEntry {
  seq: unknown;
  prev: unknown;
  [field: string]: unknown;
}

/**
 * Walks `entries` (in key order, from key 1) and the head record's text; names the first entry
 * that was edited, inserted or removed. `hashOk`, when given, checks an entry's own hash.
 */
export function walkChain(entries: Iterable<{ key: unknown; value: unknown }>, headText: string | undefined, hashOk?: (rest: ChainEntry, hash: unknown) => boolean): ChainVerdict {
  let expectSeq = 1;
  let prev: unknown = CHAIN_GENESIS;
  let n = 0;
  const bad = (firstBad: number, reason: string): ChainVerdict => ({ ok: false, entries: n, firstBad, reason });
  for (const { key, value } of entries) {
    if (typeof key !== 'number') return bad(expectSeq, `an entry under a key that is not a sequence number (${JSON.stringify(key)}) was inserted`);
    if (key !== expectSeq) {
      return key > expectSeq ? bad(expectSeq, `entry ${expectSeq} is missing (the next stored is ${key}): removed`) : bad(key, `entry ${key} is stored twice or out of order`);
    }
    let e: ChainEntry;
    try {
      e = JSON.parse(String(value)) as ChainEntry;
    } catch {
      return bad(key, `entry ${key} is not readable JSON: edited`);
    }
    if (typeof e !== 'object' || e === null) return bad(key, `entry ${key} is not an entry: edited`);
    if (e.seq !== key) return bad(key, `entry ${key} claims to be entry ${String(e.seq)}: inserted or moved`);
    if (e.prev !== prev) return bad(key, `entry ${key} does not follow entry ${key - 1} (its link to the previous hash is wrong): an entry was inserted or removed before it`);
    const { hash, ...rest } = e;
    if (typeof hash !== 'string' || (hashOk !== undefined && !hashOk(rest as ChainEntry, hash))) return bad(key, `entry ${key} does not match its hash: edited`);
    prev = hash;
    expectSeq++;
    n++;
  }
  if (n === 0 && headText === undefined) return { ok: true, entries: 0, head: CHAIN_GENESIS };
  let head: { seq?: unknown; hash?: unknown } = {};
  try {
    head = JSON.parse(headText ?? '{}') as typeof head;
  } catch {
    return bad(n + 1, "the head record (the last entry's seal) is not readable: edited");
  }
  if (head.seq !== n || head.hash !== prev) {
    return typeof head.seq === 'number' && head.seq > n
      ? bad(n + 1, `the log ends at entry ${n} but its head says ${head.seq}: entries after ${n} were removed`)
      : bad(n, `the head record does not seal entry ${n}: edited or appended without the key`);
  }
  return { ok: true, entries: n, head: prev as string };
}
