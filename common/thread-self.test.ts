import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { compiledPath } from './paths.js';
import { readStatNice } from './proc-stat.js';

// A real worker thread running the compiled helpers (npm test builds first).
const workerCode = `
  const { parentPort, workerData } = require('node:worker_threads');
  import(workerData).then(({ lowerThreadPriority, nameThread, readStatNice }) => {
    const lowered = lowerThreadPriority();
    const named = nameThread('gsched-test-thread-long-name');
    const name = require('node:fs').readFileSync('/proc/thread-self/comm', 'utf8').trim();
    parentPort.postMessage({ lowered, named, name, nice: readStatNice('/proc/thread-self/stat') });
  });
`;

describe('lowerThreadPriority and nameThread', () => {
  it('on Linux change only the calling thread: a worker thread runs at nice 19 under its own name, the main thread keeps its own', async () => {
    if (process.platform !== 'linux') return;
    const before = readStatNice('/proc/thread-self/stat');
    const ownName = readFileSync('/proc/thread-self/comm', 'utf8');
    const w = new Worker(workerCode, { eval: true, workerData: new URL(`file://${compiledPath('common/index.ts')}`).href });
    const got = await new Promise<{ lowered: boolean; named: boolean; name: string; nice: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(got).toEqual({ lowered: true, named: true, name: 'gsched-test-thr', nice: 19 });
    expect(readFileSync('/proc/thread-self/comm', 'utf8')).toBe(ownName);
    expect(readStatNice('/proc/thread-self/stat')).toBe(before);
    expect(readStatNice('/proc/self/stat')).toBe(before);
  });
});
