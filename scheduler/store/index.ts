// Public surface of the scheduler's state folder.
export { Store, FramedDb, type JournalRecord, type JournalPos, type IdempotencyKey, type SnapshotMeta, type StoredSnapshot, type JobRecord, type RunRecord, type TaskResult, type StoreOptions, type AuditTarget, type AuditWrite } from './journal.js';
export { ensureToken } from './tokens.js';
export { lockStateDir } from './lock.js';
export { StateDirError, StateCorruptError, SchemaTooNewError, RecordCorruptError, JournalCorruptError } from './errors.js';
export { SCHEMA, DATA_FILE, FORMAT_FILE } from './layout.js';
export { fsckStateDir, type FsckReport, type FsckDb } from './fsck.js';
export { AcctIndex, type AcctDim, type AcctIndexQuery } from './acct-index.js';
