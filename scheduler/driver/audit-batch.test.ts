// A pass's dispatches audited together: every act named, every patient carried once, in order.
import { describe, expect, it } from 'vitest';
import { AuditBatch } from './audit-batch.js';

describe('AuditBatch', () => {
  it('names every act and carries each patient once per entry, splitting at the batch size', () => {
    const b = new AuditBatch(2);
    b.add('job 1 task 10', ['p_a', 'p_b']);
    b.add('job 2 task 20', ['p_b']);
    b.add('job 3 task 30', ['p_b', 'p_c']);
    expect(b.take()).toEqual([
      { tasks: ['job 1 task 10', 'job 2 task 20'], pseudonyms: ['p_a', 'p_b'] },
      // a new entry lists its own patients again, so each entry stands on its own
      { tasks: ['job 3 task 30'], pseudonyms: ['p_b', 'p_c'] },
    ]);
  });

  it('is empty after a take, and after a pass that dispatched nothing', () => {
    const b = new AuditBatch(500);
    expect(b.take()).toEqual([]);
    b.add('job 1 task 1', ['p_a']);
    b.take();
    expect(b.take()).toEqual([]);
  });
});
