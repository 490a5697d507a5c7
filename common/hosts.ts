// Which addresses only this machine can reach: serving anything else without TLS needs --insecure.

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/.test(host);
}
