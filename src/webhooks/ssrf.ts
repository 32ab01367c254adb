import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';

/** Loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved and unspecified ranges. */
const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32]] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped, trailing dotted quad allowed). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '').toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, quad.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

const ipv4Of = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
const zero = (gs: number[]) => gs.every((g) => g === 0);

/**
 * The IPv4 addresses an IPv6 address carries, for the forms that route to them: IPv4-compatible
 * (::a.b.c.d), IPv4-mapped (::ffff:a.b.c.d) and -translated (::ffff:0:a.b.c.d), NAT64
 * (64:ff9b::/96, and the local-use 64:ff9b:1::/48 in its /96 form), 6to4 (2002::/16), Teredo
 * (2001::/32: server, and client XOR 0xffffffff) and ISATAP (any prefix, interface id
 * 0:5efe or 200:5efe then the IPv4 address). 'opaque' for a local-use NAT64 address whose
 * IPv4 part cannot be located; null for an address that carries none.
 */
export function embeddedIPv4(address: string): string[] | 'opaque' | null {
  const g = ipv6Groups(address);
  const last = ipv4Of(g[6]!, g[7]!);
  if (zero(g.slice(0, 6))) return [last];
  if (zero(g.slice(0, 5)) && g[5] === 0xffff) return [last];
  if (zero(g.slice(0, 4)) && g[4] === 0xffff && g[5] === 0) return [last];
  if (g[0] === 0x64 && g[1] === 0xff9b) {
    if (zero(g.slice(2, 6))) return [last];
    if (g[2] === 1) return zero(g.slice(3, 6)) ? [last] : 'opaque';
  }
  if (g[0] === 0x2002) return [ipv4Of(g[1]!, g[2]!)];
  if (g[0] === 0x2001 && g[1] === 0) return [ipv4Of(g[2]!, g[3]!), ipv4Of(g[6]! ^ 0xffff, g[7]! ^ 0xffff)];
  if ((g[4] === 0 || g[4] === 0x200) && g[5] === 0x5efe) return [last];
  return null;
}

export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family === 6) {
    if (BLOCKED.check(address, 'ipv6')) return true;
    // An IPv6 address that embeds an IPv4 one reaches that IPv4 address: judge it by it.
    const v4 = embeddedIPv4(address);
    return v4 === 'opaque' || (v4 !== null && v4.some((a) => BLOCKED.check(a, 'ipv4')));
  }
  return true;
}

export class BlockedUrlError extends Error {}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Refuses non-http(s) URLs, and when private targets are not allowed, hosts that are or resolve
 * to a private address. Checked when an endpoint is registered and again before each delivery.
 */
export async function assertUrlAllowed(raw: string, allowPrivate: boolean): Promise<void> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedUrlError('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BlockedUrlError('must be an http or https URL');
  if (url.username || url.password) throw new BlockedUrlError('must not contain credentials');
  if (allowPrivate) return;
  const host = hostOf(url);
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new BlockedUrlError(`host ${host} does not resolve`);
    }
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad) throw new BlockedUrlError(`resolves to a private or reserved address (${bad}); such targets are refused when WEBHOOK_ALLOW_PRIVATE=false`);
}

/**
 * A DNS lookup for the delivery agent that refuses private answers at connect time, so a host
 * that re-resolves to an internal address after the check (DNS rebinding) is still refused.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 4);
    const list = addresses as dns.LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new BlockedUrlError(`${hostname} resolves to a private address (${bad.address})`), '', 4);
    if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};
