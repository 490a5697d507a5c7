// Group commit: an append resolves only once the write holding it is done, writes run one at
// a time in append order, and records that arrive during a write share the next one.
import { describe, expect, it, vi } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** A writer whose writes finish only when the test says so. */
function controlledWriter(depth = 1, gapMs = 0): { writes: number[][]; finish(i: number, err?: Error): void; gc: GroupCommit<number> } {
  const writes: number[][] = [];
  const pending: { resolve(): void; reject(e: Error): void }[] = [];
  const gc = new GroupCommit<number>(
    (records) =>
      new Promise<void>((resolve, reject) => {
        writes.push([...records]);
        pending.push({ resolve, reject });
      }),
    { depth, gapMs },
  );
  const finish = (i: number, err?: Error): void => {
    const p = pending[i];
    if (!p) throw new Error(`no write ${i}`);
    if (err) p.reject(err);
    else p.resolve();
  };
  return { writes, finish, gc };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('resolves an append only after its write is durable, and groups what arrives meanwhile', async () => {
    const { writes, finish, gc } = controlledWriter();
    const done: number[] = [];
    const track = (n: number): void => void gc.append(n).then(() => done.push(n));
    track(1);
    track(2);
    await turn();
    expect(writes).toEqual([[1, 2]]); // one turn, one write
    track(3);
    await turn();
    track(4);
    await turn();
    expect(writes).toHaveLength(1); // one write in flight at a time
    expect(done).toEqual([]);
    finish(0);
    await turn();
    expect(done).toEqual([1, 2]);
    expect(writes).toEqual([[1, 2], [3, 4]]); // both waited and went together, in order
    finish(1);
    await turn();
    expect(done).toEqual([1, 2, 3, 4]);
  });

  it('reports a failed write to its own appends only; later writes go on', async () => {
    const { writes, finish, gc } = controlledWriter();
    const first = gc.append(1);
    await turn();
    const second = gc.append(2);
    finish(0, new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    await turn();
    expect(writes).toEqual([[1], [2]]);
    finish(1);
    await expect(second).resolves.toBeUndefined();
  });

  it('drained() waits for every append made so far', async () => {
    const { finish, gc } = controlledWriter();
    void gc.append(1);
    let drained = false;
    const d = gc.drained().then(() => (drained = true));
    await turn();
    void gc.append(2);
    await turn();
    expect(drained).toBe(false);
    finish(0);
    await turn();
    await turn();
    expect(drained).toBe(false); // the second write is still out
    finish(1);
    await d;
    expect(drained).toBe(true);
  });

  it('with depth 2, hands the next group over while one is flushed, and still resolves in append order', async () => {
    const { writes, finish, gc } = controlledWriter(2);
    const done: number[] = [];
    const track = (n: number): void => void gc.append(n).then(() => done.push(n));
    track(1);
    await turn();
    track(2);
    track(3);
    await turn();
    expect(writes).toEqual([[1], [2, 3]]); // two in flight
    track(4);
    await turn();
    expect(writes).toHaveLength(2); // not three
    finish(1); // the later write is done first: nothing may resolve before 1
    await turn();
    expect(done).toEqual([]);
    finish(0);
    await turn();
    await turn();
    expect(done).toEqual([1, 2, 3]);
    expect(writes).toEqual([[1], [2, 3], [4]]);
    finish(2);
    await turn();
    await turn();
    expect(done).toEqual([1, 2, 3, 4]);
  });

  it('with a gap, starts the next write no sooner than gapMs after the last one started, and groups what arrives meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const { writes, finish, gc } = controlledWriter(2, 10);
      const done: number[] = [];
      const track = (n: number): void => void gc.append(n).then(() => done.push(n));
      track(1);
      await turn();
      expect(writes).toEqual([[1]]);
      track(2);
      await turn();
      track(3);
      await turn();
      expect(writes).toHaveLength(1); // room for a second write, but the gap has not passed
      await vi.advanceTimersByTimeAsync(9);
      expect(writes).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(writes).toEqual([[1], [2, 3]]); // both waited and went together
      finish(0);
      finish(1);
      await turn();
      await turn();
      expect(done).toEqual([1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts a write at once, gap or not, when it holds a record that may not wait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const writes: number[][] = [];
      const gc = new GroupCommit<number>(
        async (records) => {
          writes.push([...records]);
        },
        { depth: 2, gapMs: 10, mayWait: (n) => n % 2 === 1 },
      );
      void gc.append(1);
      await turn();
      void gc.append(3);
      await turn();
      expect(writes).toEqual([[1]]); // 3 may wait: it waits out the gap
      void gc.append(4);
      await turn();
      expect(writes).toEqual([[1], [3, 4]]); // 4 may not: it goes now, and takes 3 along
    } finally {
      vi.useRealTimers();
    }
  });

  describe('the writer\'s end-of-turn batch (lmdb commits a turn\'s writes at a setImmediate its first write queues)', () => {
    /** A writer like lmdb's: puts join the batch open this turn, closed by a setImmediate queued when it opened. */
    function turnBatchWriter(gapMs = 0) {
      const log: string[] = [];
      let open: number[] | null = null;
      const put = (what: number[]): void => {
        if (open === null) {
          const batch: number[] = [];
          open = batch;
          setImmediate(() => {
            open = null;
            log.push(`commit ${batch.join(',')}`);
          });
        }
        open.push(...what);
      };
      const gc = new GroupCommit<number>(
        async (records) => {
          put(records);
        },
        { depth: 3, gapMs, mayWait: (r) => r < 0, openBatch: () => put([]) },
      );
      return { gc, put, log };
    }

    it('puts a group into the commit of the turn it was appended in', async () => {
      const { gc, log } = turnBatchWriter();
      void gc.append(1);
      void gc.append(2);
      await turn();
      // Without openBatch the group's puts would open the batch from our setImmediate, and it
      // would close a turn later.
      expect(log).toEqual(['commit 1,2']);
    });

    it('queues its write ahead of the other writes of the turn (holdTurn)', async () => {
      const { gc, put, log } = turnBatchWriter();
      gc.holdTurn();
      put([7]); // e.g. a job record written before the turn's first append
      void gc.append(1);
      await turn();
      expect(log).toEqual(['commit 7,1']);
    });

    it('opens no batch for records that wait out the gap', async () => {
      const { gc, log } = turnBatchWriter(1_000);
      void gc.append(1); // the first write starts at once
      await turn();
      await turn();
      void gc.append(-1); // may wait: the next write waits for the gap
      await turn();
      await turn();
      expect(log).toEqual(['commit 1']); // no empty commit for the waiting record
      await gc.drained();
      await turn();
      expect(log).toEqual(['commit 1', 'commit -1']);
    });
  });
});
