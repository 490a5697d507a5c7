// Secrets kept as files in the state folder: created once, readable by the owner only.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { StateDirError } from './errors.js';

/** Returns the token in `path`, creating it (mode 600) if the file does not exist. */
export function ensureToken(path: string): string {
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(path, 0o600);
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 16) throw new StateDirError(path, 'the token file holds fewer than 16 characters; delete it to get a new one');
  return token;
}
