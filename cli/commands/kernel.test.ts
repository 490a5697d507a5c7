// gsched kernel simulate|align|call end to end on files (worker pool included), and the
// one-line, exit-code-2 errors for bad input.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../main.js';

let dir: string;
let p: string;

async function gsched(...args: string[]): Promise<{ code: number; err: string; out: string }> {
  let err = '';
  let out = '';
  const spyErr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  const spyOut = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await main(['node', 'gsched', ...args]);
    return { code, err, out };
  } finally {
    spyErr.mockRestore();
    spyOut.mockRestore();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gsched-kernel-cli-'));
  p = join(dir, 'sim');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('gsched kernel', () => {
  it('simulates, aligns and calls on files that samtools and bcftools accept', async () => {
    expect((await gsched('kernel', 'simulate', '--seed', '9', '--length', '30000', '--pairs', '3000', '-o', p)).code).toBe(0);
    for (const f of [`${p}.fa`, `${p}_r1.fq`, `${p}_r2.fq`, `${p}.truth.vcf`]) expect(existsSync(f)).toBe(true);
    execFileSync('bcftools', ['view', '-H', `${p}.truth.vcf`]);
    const sam = join(dir, 'out.sam');
    const a = await gsched('kernel', 'align', '--ref', `${p}.fa`, `${p}_r1.fq`, `${p}_r2.fq`, '-o', sam, '--threads', '1', '--shard-pairs', '1000');
    expect(a).toMatchObject({ code: 0, err: '' });
    execFileSync('samtools', ['quickcheck', sam]);
    expect(Number(execFileSync('samtools', ['view', '-c', sam], { encoding: 'utf8' }))).toBe(6000);
    const vcf = join(dir, 'out.vcf');
    expect((await gsched('kernel', 'call', '--ref', `${p}.fa`, sam, '-o', vcf, '--threads', '1', '--region-size', '10000')).code).toBe(0);
    const calls = execFileSync('bcftools', ['view', '-H', vcf], { encoding: 'utf8' }).trim().split('\n');
    expect(calls.length).toBeGreaterThan(10);
  });

  it('prints a JSON summary with --json, and then wants the output in a file', async () => {
    const sam = join(dir, 'json.sam');
    const a = await gsched('kernel', 'align', '--ref', `${p}.fa`, `${p}_r1.fq`, `${p}_r2.fq`, '-o', sam, '--threads', '1', '--json');
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out)).toMatchObject({ out: sam, reads: 6000, mapped: expect.any(Number), cpuMs: expect.any(Number) });
    const c = await gsched('kernel', 'call', '--ref', `${p}.fa`, sam, '-o', join(dir, 'json.vcf'), '--threads', '1', '--json');
    expect(JSON.parse(c.out)).toMatchObject({ out: join(dir, 'json.vcf'), variants: expect.any(Number) });
    const noOut = await gsched('kernel', 'call', '--ref', `${p}.fa`, sam, '--json');
    expect(noOut).toMatchObject({ code: 2, err: 'gsched: --json prints a summary on stdout: give -o FILE for the output itself\n' });
  });

  it('reports bad input as one line naming the file, exit code 2', async () => {
    const missing = await gsched('kernel', 'align', '--ref', join(dir, 'nope.fa'), `${p}_r1.fq`, `${p}_r2.fq`);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^gsched: cannot read .*nope\.fa: no such file\n$/);

    const short = join(dir, 'short.fq');
    writeFileSync(short, readFileSync(`${p}_r1.fq`, 'utf8').split('\n').slice(0, 40).join('\n') + '\n');
    const pairs = await gsched('kernel', 'align', '--ref', `${p}.fa`, short, `${p}_r2.fq`, '-o', join(dir, 'x.sam'));
    expect(pairs.code).toBe(2);
    expect(pairs.err).toContain('mismatched pair counts: 10 reads in r1 but 3000 in r2');

    const badSam = join(dir, 'bad.sam');
    writeFileSync(badSam, '@SQ\tSN:chr1\tLN:30000\nr\t0\tchr1\t1\t60\t4M\t*\t0\t0\tACG\tIII\n');
    const s = await gsched('kernel', 'call', '--ref', `${p}.fa`, badSam);
    expect(s.code).toBe(2);
    expect(s.err).toContain('bad.sam:2: CIGAR 4M covers 4 read bases but SEQ has 3');

    const n = await gsched('kernel', 'simulate', '--length', 'lots');
    expect(n.code).toBe(2);
  });
});
