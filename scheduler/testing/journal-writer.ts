// Test helper process: appends numbered journal records to the store in <dir> as fast as it
// can (several per turn, new ones while writes are in flight) and prints each number once its
// append has resolved, i.e. once the store says it is durable. The test kills it mid-way.
import { Store } from '../store/index.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: journal-writer <dir>\n');
  process.exit(2);
}
const store = new Store(dir);
let next = 0;
const burst = (): void => {
  for (let i = 0; i < 5; i++) {
    const n = next++;
    store.append({ k: 's', now: n }).then(
      () => process.stdout.write(`${n}\n`),
      (err: Error) => {
        process.stderr.write(`append ${n} failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  }
  setImmediate(burst);
};
burst();
