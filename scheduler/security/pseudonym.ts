// CPR number → keyed pseudonym: HMAC-SHA-256 under the site secret, so the same patient gets
// the same pseudonym at this site and nobody without the secret can go back or guess forward.
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { normalizeCpr } from '../../common/index.js';
import { SecurityError } from './errors.js';

// 32 symbols and no digit: a pseudonym can never look like a CPR number, whatever its bytes.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEF';

/** The site secret in `path` (32 random bytes, hex, mode 600), created on first use. */
export function ensureSiteSecret(path: string): Buffer {
  if (!existsSync(path)) writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new SecurityError(`${path} is not a site secret (64 hex digits); restore it from backup (a new one would give every patient a new pseudonym)`);
  return Buffer.from(hex, 'hex');
}

export class Pseudonymizer {
  constructor(private readonly secret: Buffer) {}

  /** `p_` + 24 symbols (120 bits) of HMAC-SHA-256(secret, the CPR's ten digits); null if `cpr` is not a CPR number. */
  of(cpr: string): string | null {
    const digits = normalizeCpr(cpr);
    if (digits === null) return null;
    const mac = createHmac('sha256', this.secret).update(`cpr:${digits}`).digest();
    let out = 'p_';
    let acc = 0;
    let bits = 0;
    for (const byte of mac) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 5 && out.length < 26) {
        bits -= 5;
        out += ALPHABET[(acc >> bits) & 31];
      }
      acc &= (1 << bits) - 1;
      if (out.length >= 26) break;
    }
    return out;
  }

  /** A key for another purpose (the audit chain), derived from the site secret. */
  derive(label: string): Buffer {
    return createHmac('sha256', this.secret).update(`derive:${label}`).digest();
  }
}
