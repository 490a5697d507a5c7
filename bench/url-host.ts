// The host of an http:// URL as a socket connects to it. URL.hostname keeps an IPv6 literal's
// brackets (`[::1]`), which name no host to node:net or node:http; the Host header keeps them
// (URL.host, or node:http adds them back).

/** `url`'s host without an IPv6 literal's brackets. */
export function socketHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
