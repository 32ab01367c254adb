/**
 * What a narrow credential (a restricted key or a service token) may do: a level per resource.
 * Each route of the table declares the one permission it needs (src/routing/route.ts); the
 * auth guard compares. The secret key has every permission; the publishable key is limited by
 * its routes' `auth`, not by permissions.
 */
export const RESOURCES = ['payments', 'refunds', 'orders', 'webhooks', 'events', 'fraud_rules', 'audit'] as const;
export type Resource = (typeof RESOURCES)[number];

export const LEVELS = ['none', 'read', 'write'] as const;
export type Level = (typeof LEVELS)[number];

/** What a route needs: reads need `read`, changes need `write` (which includes read). */
export interface Permission {
  resource: Resource;
  level: 'read' | 'write';
}

/** A credential's grant: every resource has a level (missing ones are `none`). */
export type Permissions = Record<Resource, Level>;

const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };

export const permissionName = (p: Permission) => `${p.resource}:${p.level}`;

export function allows(granted: Permissions, needed: Permission): boolean {
  return RANK[granted[needed.resource]] >= RANK[needed.level];
}

/** A grant with every resource at `none`, then the given levels. */
export function grant(levels: Partial<Permissions> = {}): Permissions {
  return Object.fromEntries(RESOURCES.map((r) => [r, levels[r] ?? 'none'])) as Permissions;
}

const SCOPE_ITEM = new RegExp(`^(${RESOURCES.join('|')}):(read|write)$`);

/**
 * A service token's `scope` claim: space-separated `resource:level` items, as OAuth 2 scopes are
 * (RFC 6749 §3.3), e.g. "payments:write refunds:read". The highest level named for a resource
 * wins. Returns the first item that is not one, so the caller can name it.
 */
export function parseScope(scope: string): { ok: true; permissions: Permissions } | { ok: false; bad: string } {
  const levels: Partial<Permissions> = {};
  for (const item of scope.split(' ').filter(Boolean)) {
    const m = SCOPE_ITEM.exec(item);
    if (!m) return { ok: false, bad: item };
    const resource = m[1] as Resource;
    const level = m[2] as Level;
    if (RANK[level] > RANK[levels[resource] ?? 'none']) levels[resource] = level;
  }
  return { ok: true, permissions: grant(levels) };
}
