import { describe, expect, it } from 'vitest';
import { JournalCorruptError } from '../store/index.js';
import { loadClusterConfig, DEFAULT_CLUSTER_PATH } from '../../common/index.js';
import { makeCore } from './make-core.js';
import { replayDivergence, replayRecord } from './replay-record.js';
import { decisionTexts, type Decision } from '../core/index.js';

describe('replayRecord', () => {
  it('replays a pass at its time and an event the core accepts, and calls a refused event a corrupt journal', () => {
    const core = makeCore(loadClusterConfig(DEFAULT_CLUSTER_PATH()));
    const node = core.config.nodes[0]?.name as string;
    const down = replayRecord(core, { k: 'e', now: 5, event: { type: 'nodeDown', node } }, 1);
    expect(down.k === 'e' && down.res.ok).toBe(true);
    expect(core.nodes().find((n) => n.name === node)?.state).toBe('DOWN');
    const pass = replayRecord(core, { k: 's', now: 10 }, 2);
    expect(pass.k).toBe('s');
    expect(() => replayRecord(core, { k: 'e', now: 11, event: { type: 'drain', node: 'no-such-node' } }, 3)).toThrow(JournalCorruptError);
    expect(() => replayRecord(core, { k: 'e', now: 11, event: { type: 'drain', node: 'no-such-node' } }, 3)).toThrow(/record 3 .*refused drain: node no-such-node/);
  });
});

describe('replayDivergence', () => {
  it('names the first decision that parts from the recorded ones, and nothing when they agree or none were recorded', () => {
    const start = { type: 'start', taskId: 1, jobId: 1, node: 'c1-n001', cores: 2, memMb: 100 } as unknown as Decision;
    const [text] = decisionTexts([start]);
    expect(replayDivergence([start], [text as string])).toBeNull();
    expect(replayDivergence([start], undefined)).toBeNull();
    expect(replayDivergence([start], [])).toBe(`decision 0: ${text} instead of none`);
    expect(replayDivergence([], [text as string])).toBe(`decision 0: none instead of ${text}`);
  });
});
