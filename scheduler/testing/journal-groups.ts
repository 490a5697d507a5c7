// Which records share a journal group commit (one lmdb transaction and one sync): tests of
// "an action is never on disk without its audit entry" look at the groups a request wrote.
import type { LiveDriver } from '../driver/index.js';

type Item = { k: string; event?: { type: string }; text?: string };

/**
 * The journal's group commits written while `run` runs, each as its records' kinds
 * (`event hold`, `audit job.hold`, `s` for a pass…).
 */
export async function groupsDuring<T>(driver: LiveDriver, run: () => Promise<T>): Promise<{ result: T; groups: string[][] }> {
  const store = driver.store as unknown as { writeGroup(items: Item[]): Promise<void> };
  const write = store.writeGroup;
  const groups: string[][] = [];
  store.writeGroup = function (this: unknown, items: Item[]) {
    groups.push(items.map((r) => (r.k === 'a' ? `audit ${(JSON.parse(r.text ?? '{}') as { action: string }).action}` : r.k === 'e' ? `event ${r.event?.type}` : r.k)));
    return write.call(this, items);
  };
  try {
    return { result: await run(), groups };
  } finally {
    store.writeGroup = write;
  }
}
