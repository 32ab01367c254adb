/**
 * An http(s) origin in its serialised form ("https://shop.example:8443"), or null for anything
 * else: a path, credentials, a query, "null" (a sandboxed or file: page), another scheme.
 * What comes back is safe to place in a CSP source list and to compare with event.origin.
 */
export function parseOrigin(value: string | undefined | null): string | null {
  if (!value || !/^https?:\/\/[^/?#@\s]+\/?$/i.test(value)) return null;
  try {
    const u = new URL(value);
    if (u.username || u.password || (u.protocol !== 'http:' && u.protocol !== 'https:')) return null;
    return u.origin;
  } catch {
    return null;
  }
}
