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
    const parts = line.split(/\s+/);
    if (parts.length !== SWF_FIELDS.length) {
      throw new SwfError(file, i + 1, `has ${parts.length} fields, expected ${SWF_FIELDS.length}`);
    }
    const job = { line: i + 1 } as SwfJob;
    for (let f = 0; f < SWF_FIELDS.length; f++) {
      const s = parts[f]!;
      if (!NUMBER.test(s)) {
        throw new SwfError(file, i + 1, `field ${f + 1} (${SWF_FIELDS[f]}) is "${s}", expected a number`);
      }
      job[SWF_FIELDS[f]!] = Number(s);
    }
    if (!Number.isInteger(job.jobNumber)) throw new SwfError(file, i + 1, `field 1 (jobNumber) is "${parts[0]}", expected a whole number`);
    jobs.push(job);
  }
  return { header, jobs };
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
