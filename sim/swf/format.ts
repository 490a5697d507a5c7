// The Standard Workload Format (Parallel Workloads Archive, v2.2): one job per line, 18
// whitespace-separated numeric fields, `-1` for unknown; header comments `; Key: value`.
// Reading is strict: a malformed line is reported with its line number, never guessed at.
import { readFileSync } from 'node:fs';
import { SwfError } from '../errors.js';

/** The 18 fields in file order (field 1 is `jobNumber`). */
export const SWF_FIELDS = [
  'jobNumber',
  'submitTime',
  'waitTime',
  'runTime',
  'allocatedProcs',
  'avgCpuTime',
  'usedMemory',
  'requestedProcs',
  'requestedTime',
  'requestedMemory',
  'status',
  'userId',
  'groupId',
  'executable',
  'queue',
  'partition',
  'precedingJob',
  'thinkTime',
] as const;

export type SwfField = (typeof SWF_FIELDS)[number];

/** One job line. Times in seconds, as in the file. */
export type SwfJob = Record<SwfField, number> & { /** 1-based line in its file. */ line: number };

export interface SwfHeader {
  /** `; Key: value` comments in order (a key seen twice keeps its last value). */
  fields: Record<string, string>;
  /** Every header comment line without its `;`, in order (continuation lines included). */
  comments: string[];
  maxProcs: number | null;
  maxNodes: number | null;
  maxJobs: number | null;
  unixStartTime: number | null;
}

export interface SwfTrace {
  header: SwfHeader;
  jobs: SwfJob[];
}

const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const HEADER_KEY = /^\s*([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*?)\s*$/;

/** Parses SWF text. `file` names the source in error messages. */
export function parseSwf(text: string, file = '<swf>'): SwfTrace {
  const header: SwfHeader = { fields: {}, comments: [], maxProcs: null, maxNodes: null, maxJobs: null, unixStartTime: null };
  const jobs: SwfJob[] = [];
  const lines = text.split('\n');
  const values = new Float64Array(SWF_FIELDS.length);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith(';')) {
      const body = line.slice(1);
      header.comments.push(body);
      const m = HEADER_KEY.exec(body);
      if (m && jobs.length === 0) {
        const key = m[1]!;
        const value = m[2]!;
        header.fields[key] = value;
        const intKeys: Record<string, 'maxProcs' | 'maxNodes' | 'maxJobs' | 'unixStartTime'> = {
          MaxProcs: 'maxProcs',
          MaxNodes: 'maxNodes',
          MaxJobs: 'maxJobs',
          UnixStartTime: 'unixStartTime',
        };
        const target = intKeys[key];
        if (target !== undefined) {
          const n = Number(value);
          if (value === '' || !Number.isInteger(n)) {
            throw new SwfError(file, i + 1, `header "${key}" is "${value}", expected a whole number`);
          }
          header[target] = n;
        }
      }
      continue;
    }
    let f = 0;
    let p = 0;
    const len = line.length;
    while (p < len) {
      while (p < len && isSpace(line.charCodeAt(p))) p++;
      if (p >= len) break;
      const from = p;
      while (p < len && !isSpace(line.charCodeAt(p))) p++;
      if (f < SWF_FIELDS.length) {
        const v = fieldValue(line, from, p);
        if (v === null) {
          throw new SwfError(file, i + 1, `field ${f + 1} (${SWF_FIELDS[f]}) is "${line.slice(from, p)}", expected a number`);
        }
        values[f] = v;
      }
      f++;
    }
    if (f !== SWF_FIELDS.length) throw new SwfError(file, i + 1, `has ${f} fields, expected ${SWF_FIELDS.length}`);
    const job = toJob(values, i + 1);
    if (!Number.isInteger(job.jobNumber)) throw new SwfError(file, i + 1, `field 1 (jobNumber) is "${job.jobNumber}", expected a whole number`);
    jobs.push(job);
  }
  return { header, jobs };
}

/** One object literal with every field: all jobs share one hidden class. */
function toJob(v: Float64Array, line: number): SwfJob {
  return {
    jobNumber: v[0]!,
    submitTime: v[1]!,
    waitTime: v[2]!,
    runTime: v[3]!,
    allocatedProcs: v[4]!,
    avgCpuTime: v[5]!,
    usedMemory: v[6]!,
    requestedProcs: v[7]!,
    requestedTime: v[8]!,
    requestedMemory: v[9]!,
    status: v[10]!,
    userId: v[11]!,
    groupId: v[12]!,
    executable: v[13]!,
    queue: v[14]!,
    partition: v[15]!,
    precedingJob: v[16]!,
    thinkTime: v[17]!,
    line,
  };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/** The number in line[from, to): plain integers are read directly (the common case), anything else through a strict pattern. */
function fieldValue(line: string, from: number, to: number): number | null {
  let p = from;
  let neg = false;
  if (line.charCodeAt(p) === 45) {
    neg = true;
    p++;
  }
  if (p < to && to - p <= 15) {
    let v = 0;
    for (; p < to; p++) {
      const d = line.charCodeAt(p) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (p === to) return neg ? -v : v;
  }
  const text = line.slice(from, to);
  return NUMBER.test(text) ? Number(text) : null;
}

/** Reads and parses an SWF file; a missing or unreadable file is an SwfError too. */
export function readSwfFile(path: string): SwfTrace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SwfError(path, 0, code === 'ENOENT' ? 'no such file' : `cannot read (${(err as Error).message})`);
  }
  return parseSwf(text, path);
}

/** Formats a trace: header comments first, then one aligned line per job. */
export function formatSwf(trace: { header: Pick<SwfHeader, 'comments'>; jobs: readonly Record<SwfField, number>[] }): string {
  const out: string[] = trace.header.comments.map((c) => `;${c.startsWith(' ') || c === '' ? '' : ' '}${c}`);
  for (const job of trace.jobs) {
    out.push(SWF_FIELDS.map((f) => fmt(job[f])).join(' '));
  }
  return out.join('\n') + '\n';
}

function fmt(v: number): string {
  // Whole numbers as integers; fractional ones (e.g. average CPU time) with at most 2 decimals.
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}
