// Snapshots of the core: its whole object graph as plain data (numbers, strings, arrays), and
// back into a fresh core built from the same config.
//
// The codec walks the graph generically (objects, arrays, Maps, Sets, typed arrays) instead of
// listing fields, so a field added anywhere in the core's state is carried without touching
// this file, and the restored core is the same graph: the same queue lanes, heaps and caches,
// so it decides exactly as the original would have (the journal tail after a snapshot is
// replayed on it, passes included). Three kinds of things are not copied but found again in
// the fresh core:
//   - the config and everything in it (the snapshot records a fingerprint; restore refuses
//     another config),
//   - functions (closures such as the queue's priority callbacks), by their field path,
//   - class instances reached by a path of fields from the core (its state, queue, planner…):
//     filled in place, so the closures above keep pointing at the live objects.
// Pure: no node:*, no clock, no I/O. Bytes and disks are the store's business.

import { CoreState } from './core-state.js';
import { DeadlineLane, DeadlineLanes } from './deadline-lanes.js';
import { FairShare } from './fairshare.js';
import { EndOrder } from './end-order.js';
import { FitMemo } from './fit-memo.js';
import { FreeIndex } from './free-index.js';
import { KeyedHeap } from './heap.js';
import { IdTable } from './id-table.js';
import { LevelSet } from './level-set.js';
import { LimitBook } from './limits.js';
import { Outbox } from './outbox.js';
import { SlotList } from './lists.js';
import { PassRunner } from './pass.js';
import { PowerSaver } from './power-save.js';
import { ConservativePlanner } from './policies/conservative.js';
import { EasyPlanner, FcfsPlanner } from './policies/easy.js';
import { PassOverMemo } from './policies/pass-over-memo.js';
import { PendingQueue, Run } from './queue.js';
import { ReadModel } from './read-model.js';
import { NodeProfile } from './reservation.js';

/**
 * Every class whose instances the core's state may hold. A fresh core shows most of them, but
 * some appear only under load (a queue's runs, conservative profiles): restore finds their
 * prototypes here. snapshot.test.ts fails when a class of the core is missing.
 */
export const SNAPSHOT_CLASSES: readonly (abstract new (...args: never[]) => unknown)[] = [
  CoreState, FairShare, FreeIndex, KeyedHeap, IdTable, LevelSet, SlotList, PassRunner, ConservativePlanner,
  EasyPlanner, FcfsPlanner, PendingQueue, Run, ReadModel, NodeProfile, LimitBook, PowerSaver, EndOrder, FitMemo,
  PassOverMemo, DeadlineLanes, DeadlineLane, Outbox,
];

/** Bumped when the entry layout below changes. */
export const SNAPSHOT_FORMAT = 1;

export interface CoreSnapshot {
  format: number;
  /** Fingerprint of the config the core was built from. */
  config: string;
  /** Key lists of objects, shared by every object of the same shape. */
  shapes: string[][];
  /** Class names; '' is a plain object, 'null' an object without prototype. */
  classes: string[];
  /** Object entries; entry 0 is the core. See encodeObject and friends for the layouts. */
  objs: unknown[][];
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

const OBJ = 0;
const ARR = 1;
const MAP = 2;
const SET = 3;
const TYPED = 4;
const FUNC = 5;
const EXTERNAL = 6;
const WIDE = 7;

/** Array data modes: all primitives; all references (-1 null, -2 undefined); tagged pairs. */
const PRIM = 0;
const REFS = 1;
const MIXED = 2;

const NULL_REF = -1;
const UNDEF_REF = -2;

/** Objects of more fields than this use tagged pairs instead of a bit mask of references. */
const MASK_FIELDS = 50;
/** How deep and how wide field paths are tracked (structural objects sit near the root). */
const PATH_DEPTH = 6;
const PATH_INDEX = 4096;

const TYPED_CTORS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedName = keyof typeof TYPED_CTORS;
type Typed = InstanceType<(typeof TYPED_CTORS)[TypedName]>;

const isRef = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

/** FNV-1a over the config's JSON: equal configs, equal fingerprints. */
export function configFingerprint(config: unknown): string {
  return textFingerprint(JSON.stringify(config));
}

/** FNV-1a in two lanes, with the length: a short stable name for a long text. */
export function textFingerprint(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `${text.length.toString(36)}-${h1.toString(36)}-${h2.toString(36)}`;
}

/** The shapes of a snapshot's objects, as `Class:field,field,…` ('' is a plain object). */
export function objectShapes(snap: CoreSnapshot): Set<string> {
  const out = new Set<string>();
  for (const e of snap.objs) {
    if (e[0] !== OBJ && e[0] !== WIDE) continue;
    out.add(`${snap.classes[e[2] as number] ?? '?'}:${(snap.shapes[e[1] as number] ?? []).join(',')}`);
  }
  return out;
}

/** Every object in the config with its path (the same config gives the same paths). */
function configPaths(config: object): Map<object, string> {
  const out = new Map<object, string>();
  const walk = (v: unknown, path: string): void => {
    if (!isRef(v) || out.has(v)) return;
    out.set(v, path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}.${i}`));
    else for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${path}.${k}`);
  };
  walk(config, '');
  return out;
}

function className(o: object): string {
  const proto = Object.getPrototypeOf(o) as { constructor?: { name?: string } } | null;
  if (proto === null) return 'null';
  if (proto === Object.prototype) return '';
  const name = proto.constructor?.name;
  if (!name) throw new SnapshotError('an object in the core has a prototype without a class name');
  return name;
}

/** An instance of a built-in class other than those handled above (a timestamp, a promise…). */
function builtIn(o: object): boolean {
  const proto = Object.getPrototypeOf(o) as { constructor?: unknown } | null;
  if (proto === null || proto === Object.prototype) return false;
  const ctor = proto.constructor;
  return typeof ctor === 'function' && Function.prototype.toString.call(ctor).includes('[native code]');
}

function resolvePath(root: object, path: string): unknown {
  let v: unknown = root;
  for (const k of path.split('.').slice(1)) {
    if (!isRef(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Takes a snapshot of `root` (the core), whose config is `config`. */
export function snapshotOf(root: object, config: object): CoreSnapshot {
  const external = configPaths(config);
  const index = new Map<object, number>();
  const paths: (string | null)[] = [];
  const queue: object[] = [];
  const shapes: string[][] = [];
  const shapeIds = new Map<string, number>();
  const lastShape = new Map<string, number>();
  const classes: string[] = [];
  const classIds = new Map<string, number>();

  const ref = (v: object, parentPath: string | null, key: string | number): number => {
    const known = index.get(v);
    if (known !== undefined) return known;
    const i = queue.length;
    index.set(v, i);
    queue.push(v);
    const trackable = parentPath !== null && (typeof key === 'string' || key < PATH_INDEX) && parentPath.split('.').length <= PATH_DEPTH;
    paths.push(trackable ? `${parentPath}.${key}` : null);
    return i;
  };
  const refOrNull = (v: unknown, parentPath: string | null, key: string | number): number => {
    if (v === null) return NULL_REF;
    if (v === undefined) return UNDEF_REF;
    return ref(v as object, parentPath, key);
  };
  const encodeList = (list: ArrayLike<unknown>, path: string | null): unknown[] => {
    let refs = 0;
    let prims = 0;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (isRef(v)) refs++;
      else if (v === undefined) refs++, prims++;
      else if (v !== null) prims++;
    }
    if (refs === 0) return [PRIM, ...Array.from(list)];
    if (prims === 0) {
      const out: unknown[] = [REFS];
      for (let i = 0; i < list.length; i++) out.push(refOrNull(list[i], path, i));
      return out;
    }
    const out: unknown[] = [MIXED];
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (isRef(v) || v === undefined) out.push(1, refOrNull(v, path, i));
      else out.push(0, v);
    }
    return out;
  };
  const shapeOf = (cls: string, keys: string[]): number => {
    const last = lastShape.get(cls);
    if (last !== undefined) {
      const s = shapes[last] as string[];
      if (s.length === keys.length && s.every((k, i) => k === keys[i])) return last;
    }
    const id = keys.join('\u0000');
    let sid = shapeIds.get(id);
    if (sid === undefined) {
      sid = shapes.length;
      shapes.push(keys);
      shapeIds.set(id, sid);
    }
    lastShape.set(cls, sid);
    return sid;
  };
  const classOf = (name: string): number => {
    let c = classIds.get(name);
    if (c === undefined) {
      c = classes.length;
      classes.push(name);
      classIds.set(name, c);
    }
    return c;
  };

  ref(root, null, '');
  paths[0] = '';
  const objs: unknown[][] = [];
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i] as object;
    const path = paths[i] ?? null;
    const ext = external.get(o);
    if (ext !== undefined) {
      objs.push([EXTERNAL, ext]);
      continue;
    }
    if (typeof o === 'function') {
      if (path === null) throw new SnapshotError('a function sits deep in the core state (only functions near the root, such as callbacks, can be found again)');
      objs.push([FUNC, path]);
      continue;
    }
    if (Array.isArray(o)) {
      objs.push([ARR, ...encodeList(o, path)]);
      continue;
    }
    if (o instanceof Map) {
      objs.push([MAP, encodeList([...o.keys()], null), encodeList([...o.values()], null)]);
      continue;
    }
    if (o instanceof Set) {
      objs.push([SET, encodeList([...o], null)]);
      continue;
    }
    if (ArrayBuffer.isView(o)) {
      const name = (o.constructor as { name: string }).name;
      if (!(name in TYPED_CTORS)) throw new SnapshotError(`the core holds a ${name}, which snapshots do not carry`);
      objs.push([TYPED, name, Array.from(o as Typed)]);
      continue;
    }
    const cls = className(o);
    if (builtIn(o)) throw new SnapshotError(`the core holds a ${cls}, which snapshots do not carry`);
    const keys = Object.keys(o);
    const rec = o as Record<string, unknown>;
    const entry: unknown[] = [keys.length > MASK_FIELDS ? WIDE : OBJ, shapeOf(cls, keys), classOf(cls)];
    if (keys.length > MASK_FIELDS) {
      for (const k of keys) {
        const v = rec[k];
        if (isRef(v) || v === undefined) entry.push(1, refOrNull(v, path, k));
        else entry.push(0, v);
      }
    } else {
      let mask = 0;
      entry.push(0);
      for (let f = 0; f < keys.length; f++) {
        const k = keys[f] as string;
        const v = rec[k];
        if (isRef(v) || v === undefined) {
          mask += 2 ** f;
          entry.push(refOrNull(v, path, k));
        } else entry.push(v);
      }
      entry[3] = mask;
    }
    objs.push(entry);
  }
  return { format: SNAPSHOT_FORMAT, config: configFingerprint(config), shapes, classes, objs };
}

/** Every class instance and its prototype, and objects by field path, in a fresh core. */
function survey(root: object): { protos: Map<string, object>; byPath: Map<string, object> } {
  const protos = new Map<string, object>();
  const byPath = new Map<string, object>();
  const seen = new Set<object>();
  for (const c of SNAPSHOT_CLASSES) protos.set(c.name, c.prototype as object);
  const walk = (v: unknown, path: string | null, depth: number): void => {
    if (!isRef(v) || seen.has(v)) return;
    seen.add(v);
    if (path !== null) byPath.set(path, v);
    if (typeof v === 'function' || ArrayBuffer.isView(v)) return;
    const childPath = (k: string | number): string | null =>
      path !== null && depth < PATH_DEPTH && (typeof k === 'string' || k < PATH_INDEX) ? `${path}.${k}` : null;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, childPath(i), depth + 1));
    else if (v instanceof Map) for (const [k, x] of v) (walk(k, null, depth + 1), walk(x, null, depth + 1));
    else if (v instanceof Set) for (const x of v) walk(x, null, depth + 1);
    else {
      const cls = className(v);
      if (cls !== '' && cls !== 'null' && !protos.has(cls)) protos.set(cls, Object.getPrototypeOf(v) as object);
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], childPath(k), depth + 1);
    }
  };
  walk(root, '', 0);
  return { protos, byPath };
}

/**
 * Fills `root`, a core freshly built from `config`, with the state in `snap`. Throws
 * SnapshotError if the snapshot is of another format or config, or names a class the fresh
 * core does not have.
 */
export function restoreInto(root: object, config: object, snap: CoreSnapshot): void {
  if (snap.format !== SNAPSHOT_FORMAT) throw new SnapshotError(`the snapshot has format ${snap.format}; this core reads format ${SNAPSHOT_FORMAT}`);
  if (snap.config !== configFingerprint(config)) throw new SnapshotError('the snapshot was taken under another cluster config');
  const ext = new Map<string, object>();
  for (const [o, p] of configPaths(config)) ext.set(p, o);
  const { protos, byPath } = survey(root);
  const objs = snap.objs;
  const n = objs.length;
  const out: unknown[] = new Array<unknown>(n);

  // Pass 1: an empty shell for every entry (or the fresh core's own object), so that
  // references, cycles included, can be wired in pass 2.
  const pathOf = recordedPaths(snap, byPath);
  for (let i = 0; i < n; i++) {
    const e = objs[i] as unknown[];
    switch (e[0]) {
      case EXTERNAL: {
        const o = ext.get(e[1] as string);
        if (o === undefined) throw new SnapshotError(`the config has nothing at ${String(e[1])}`);
        out[i] = o;
        break;
      }
      case FUNC: {
        const f = resolvePath(root, e[1] as string);
        if (typeof f !== 'function') throw new SnapshotError(`the fresh core has no function at ${String(e[1])}`);
        out[i] = f;
        break;
      }
      case ARR:
        out[i] = [];
        break;
      case MAP:
        out[i] = new Map();
        break;
      case SET:
        out[i] = new Set();
        break;
      case TYPED: {
        const Ctor = TYPED_CTORS[e[1] as TypedName];
        if (Ctor === undefined) throw new SnapshotError(`unknown typed array ${String(e[1])}`);
        out[i] = new Ctor(e[2] as number[]);
        break;
      }
      case OBJ:
      case WIDE: {
        const cls = snap.classes[e[2] as number] as string;
        const fresh = pathOf[i] !== undefined ? byPath.get(pathOf[i] as string) : undefined;
        if (i === 0) out[i] = root;
        else if (fresh !== undefined && className(fresh) === cls && cls !== '' && cls !== 'null') out[i] = fresh;
        else if (cls === '') out[i] = {};
        else if (cls === 'null') out[i] = Object.create(null);
        else {
          const proto = protos.get(cls);
          if (proto === undefined) throw new SnapshotError(`the snapshot holds a ${cls}, which a fresh core does not have`);
          out[i] = Object.create(proto);
        }
        break;
      }
      default:
        throw new SnapshotError(`snapshot entry ${i} has an unknown kind ${String(e[0])}`);
    }
  }

  const deref = (r: number): unknown => (r === NULL_REF ? null : r === UNDEF_REF ? undefined : out[r]);
  const decodeList = (data: unknown[], from: number): unknown[] => {
    const mode = data[from];
    const list: unknown[] = [];
    if (mode === PRIM) for (let k = from + 1; k < data.length; k++) list.push(data[k]);
    else if (mode === REFS) for (let k = from + 1; k < data.length; k++) list.push(deref(data[k] as number));
    else for (let k = from + 1; k < data.length; k += 2) list.push(data[k] === 1 ? deref(data[k + 1] as number) : data[k + 1]);
    return list;
  };

  // Pass 2: contents.
  for (let i = 0; i < n; i++) {
    const e = objs[i] as unknown[];
    const o = out[i];
    switch (e[0]) {
      case ARR: {
        const list = o as unknown[];
        for (const v of decodeList(e, 1)) list.push(v);
        break;
      }
      case MAP: {
        const keys = decodeList(e[1] as unknown[], 0);
        const values = decodeList(e[2] as unknown[], 0);
        const m = o as Map<unknown, unknown>;
        for (let k = 0; k < keys.length; k++) m.set(keys[k], values[k]);
        break;
      }
      case SET: {
        const s = o as Set<unknown>;
        for (const v of decodeList(e[1] as unknown[], 0)) s.add(v);
        break;
      }
      case OBJ: {
        const keys = snap.shapes[e[1] as number] as string[];
        const rec = o as Record<string, unknown>;
        let mask = e[3] as number;
        for (let f = 0; f < keys.length; f++) {
          const bit = mask % 2;
          mask = (mask - bit) / 2;
          const v = e[4 + f];
          rec[keys[f] as string] = bit === 1 ? deref(v as number) : v;
        }
        break;
      }
      case WIDE: {
        const keys = snap.shapes[e[1] as number] as string[];
        const rec = o as Record<string, unknown>;
        for (let f = 0; f < keys.length; f++) {
          const tag = e[3 + 2 * f];
          const v = e[4 + 2 * f];
          rec[keys[f] as string] = tag === 1 ? deref(v as number) : v;
        }
        break;
      }
      default:
        break;
    }
  }
}

/** The field path each entry was first reached by, recomputed from the entries themselves. */
function recordedPaths(snap: CoreSnapshot, byPath: Map<string, object>): (string | undefined)[] {
  // The encoder assigns entries in breadth-first order of first reference, so walking the
  // entries in order and giving each referenced entry its parent's path + key rebuilds them.
  const paths: (string | undefined)[] = new Array<string | undefined>(snap.objs.length);
  paths[0] = '';
  const give = (r: unknown, parent: string | undefined, key: string | number): void => {
    if (typeof r !== 'number' || r < 0 || paths[r] !== undefined || parent === undefined) return;
    if (parent.split('.').length > PATH_DEPTH || (typeof key === 'number' && key >= PATH_INDEX)) return;
    const p = `${parent}.${key}`;
    // Only paths the fresh core has matter (structural objects near the root).
    if (byPath.has(p)) paths[r] = p;
  };
  for (let i = 0; i < snap.objs.length; i++) {
    const e = snap.objs[i] as unknown[];
    const parent = paths[i];
    if (parent === undefined) continue;
    if (e[0] === OBJ) {
      const keys = snap.shapes[e[1] as number] as string[];
      let mask = e[3] as number;
      for (let f = 0; f < keys.length; f++) {
        const bit = mask % 2;
        mask = (mask - bit) / 2;
        if (bit === 1) give(e[4 + f], parent, keys[f] as string);
      }
    } else if (e[0] === WIDE) {
      const keys = snap.shapes[e[1] as number] as string[];
      for (let f = 0; f < keys.length; f++) if (e[3 + 2 * f] === 1) give(e[4 + 2 * f], parent, keys[f] as string);
    } else if (e[0] === ARR) {
      const mode = e[1];
      if (mode === REFS) for (let k = 2; k < e.length; k++) give(e[k], parent, k - 2);
      else if (mode === MIXED) for (let k = 2, idx = 0; k < e.length; k += 2, idx++) if (e[k] === 1) give(e[k + 1], parent, idx);
    }
  }
  return paths;
}
