// Test helper process: appends numbered journal records to the store in <dir> as fast as it
// can (several per turn, new ones while writes are in flight) and prints each number once its
// append has resolved, i.e. once the store says it is durable. The test kills it mid-way.
// With `audit`, each record gets an audit entry in the same turn, as a submission does (the
// entry in the store's audit database, `record <n>`), and a number is printed once both resolved.
import { AuditLog } from '../security/index.js';
import { Store } from '../store/index.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: journal-writer <dir> [audit]\n');
  process.exit(2);
}
const store = new Store(dir);
const target = store.auditTarget();
const audit = process.argv[3] === 'audit' ? new AuditLog(target.db, Buffer.alloc(32, 7), Date.now, target.write) : null;
const actor = { id: 't_writer', name: 'writer', role: 'admin' };
let next = 0;
const burst = (): void => {
  for (let i = 0; i < 5; i++) {
    const n = next++;
    const appended = store.append({ k: 's', now: n });
    const both = audit === null ? appended : Promise.all([appended, audit.append({ action: 'job.submit', object: `record ${n}`, outcome: 'ok' }, actor, null)]);
    both.then(
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
