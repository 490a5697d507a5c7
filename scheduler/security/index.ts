// Public surface of gsched's security layer: identities and roles, hashed API tokens, the
// consent registry, the hash-chained audit log, CPR handling and log redaction.
export { ROLES, isRole, seesPseudonyms, seesAllJobs, mayTouchAccount, SYSTEM, ANONYMOUS, type Role, type Principal } from './roles.js';
export { TokenStore, TokenError, TOKEN_ID, newTokenId, newTokenSecret, type TokenInfo, type TokenRecord, type NewToken } from './tokens.js';
export { AuditLog, type AuditEntry, type AuditInput, type AuditDetail, type AuditActor, type AuditQuery, type AuditVerdict, type AuditWriter } from './audit.js';
export { ConsentRegistry, STATUS_OF_ACTION, type ConsentAction, type ConsentChange, type ConsentRecord } from './consent-registry.js';
export { RateLimiter, type RateLimit } from './rate-limit.js';
export { Pseudonymizer, ensureSiteSecret } from './pseudonym.js';
export { containsCpr, scrubCpr, normalizeCpr, cprPathIn, nestedDeeperThan, scanBody, REDACT, scrubbingDestination } from '../../common/index.js';
export { Security, type AuditPlace } from './context.js';
export { SecurityError } from './errors.js';
