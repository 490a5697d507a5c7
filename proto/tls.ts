// Transport credentials for both ends: insecure (loopback default), TLS, or mutual TLS.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { TlsConfigError } from './errors.js';

export interface TlsFiles {
  /** PEM certificate of this end (server: required for TLS; client: for mTLS). */
  cert?: string;
  /** PEM private key matching `cert`. */
  key?: string;
  /** PEM CA bundle: the server requires client certificates signed by it (mTLS); the client verifies the server with it. */
  ca?: string;
}

function read(path: string | undefined, flag: string): Buffer | null {
  if (path === undefined) return null;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsConfigError(`${flag} ${path}: ${(err as Error).message}`);
  }
}

/** The `--tls-ca/--tls-cert/--tls-key` options for node:util parseArgs, shared by both ends. */
export const TLS_ARG_OPTIONS = {
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
} as const;

export function tlsFilesFrom(values: { 'tls-ca'?: string; 'tls-cert'?: string; 'tls-key'?: string }): TlsFiles {
  return { ca: values['tls-ca'], cert: values['tls-cert'], key: values['tls-key'] };
}

export function tlsEnabled(tls: TlsFiles): boolean {
  return tls.cert !== undefined || tls.key !== undefined || tls.ca !== undefined;
}

export function serverCredentials(tls: TlsFiles): grpc.ServerCredentials {
  if (!tlsEnabled(tls)) return grpc.ServerCredentials.createInsecure();
  const cert = read(tls.cert, '--tls-cert');
  const key = read(tls.key, '--tls-key');
  if (!cert || !key) throw new TlsConfigError('TLS on the scheduler needs both --tls-cert and --tls-key');
  const ca = read(tls.ca, '--tls-ca');
  // With a CA, client certificates are required and checked against it (mTLS).
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

export function channelCredentials(tls: TlsFiles): grpc.ChannelCredentials {
  if (!tlsEnabled(tls)) return grpc.credentials.createInsecure();
  const cert = read(tls.cert, '--tls-cert');
  const key = read(tls.key, '--tls-key');
  if ((cert === null) !== (key === null)) throw new TlsConfigError('a client certificate needs both --tls-cert and --tls-key');
  return grpc.credentials.createSsl(read(tls.ca, '--tls-ca'), key, cert);
}
