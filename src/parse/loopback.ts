import net from 'node:net';

/** Loopback addresses and names: 127.0.0.0/8, ::1 (bracketed or not, also IPv4-mapped), localhost, *.localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Host headers a server bound to loopback answers to: `127.0.0.1:<port>`, `localhost:<port>`,
 * `[::1]:<port>` and the bound address with its port (without the port too on port 80, where browsers
 * leave it out). Any other name — a DNS name an attacker re-points at 127.0.0.1 (DNS rebinding) — is
 * refused, so a web page cannot read what the server serves.
 */
export function loopbackHosts(boundHost: string, port: number): Set<string> {
  const bare = boundHost.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const names = ['127.0.0.1', 'localhost', '[::1]', net.isIPv6(bare) ? `[${bare}]` : bare];
  return new Set(names.flatMap((n) => (port === 80 ? [`${n}:${port}`, n] : [`${n}:${port}`])));
}
