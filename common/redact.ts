// Logging without patient identifiers or secrets: pino's redaction for the fields that carry
// them, and a last line of defence that rewrites any CPR-shaped text in a finished log line.
import type { DestinationStream, LoggerOptions } from 'pino';
import { scrubCpr } from './cpr.js';

/** pino `redact` paths: bearer tokens, token secrets and CPR fields wherever they appear. */
export const REDACT: NonNullable<LoggerOptions['redact']> = {
  paths: [
    'req.headers.authorization',
    'req.headers.cookie',
    'headers.authorization',
    'authorization',
    'token',
    '*.token',
    'cpr',
    '*.cpr',
    'body.cpr',
    'req.body.cpr',
    'secret',
    '*.secret',
  ],
  censor: '[redacted]',
};

/** A destination that scrubs CPR-shaped substrings from each line before `inner` writes it. */
export function scrubbingDestination(inner: DestinationStream): DestinationStream {
  return {
    write(line: string): void {
      inner.write(scrubCpr(line));
    },
  };
}
