// Public surface of the scheduler's state folder.
export { Store, type JournalRecord, type JobRecord, type RunRecord, type TaskResult } from './journal.js';
export { ensureToken } from './tokens.js';
export { lockStateDir } from './lock.js';
export { StateDirError, JournalCorruptError } from './errors.js';
