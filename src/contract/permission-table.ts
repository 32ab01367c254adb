import { RESOURCES } from '../credentials/permissions.ts';
import type { AnyRoute } from '../routing/route.ts';

/** README.md holds the table between these markers; `npm run openapi` rewrites it. */
export const PERMISSION_TABLE_START = '<!-- permission-table:start (generated from the route table by npm run openapi) -->';
export const PERMISSION_TABLE_END = '<!-- permission-table:end -->';

const call = (r: AnyRoute) => `\`${r.method.toUpperCase()} ${r.path.replace(/^\/api\/v1/, '')}\``;

/** Which routes each permission opens to a restricted key or service token, from the routes' own `permission`. */
export function permissionTable(routes: readonly AnyRoute[]): string {
  const tenant = routes.filter((r) => r.auth === 'secret' || r.auth === 'publishable');
  const lines = ['| Resource | `read` allows | `write` allows as well |', '|---|---|---|'];
  for (const resource of RESOURCES) {
    const of = (level: 'read' | 'write') => tenant.filter((r) => r.permission?.resource === resource && r.permission.level === level).map(call).join(', ') || '—';
    lines.push(`| \`${resource}\` | ${of('read')} | ${of('write')} |`);
  }
  lines.push(`| secret key only | ${tenant.filter((r) => !r.permission).map(call).join(', ')} | |`);
  return lines.join('\n');
}

/** README text with its generated block replaced by the current table. */
export function withPermissionTable(readme: string, routes: readonly AnyRoute[]): string {
  const start = readme.indexOf(PERMISSION_TABLE_START);
  const end = readme.indexOf(PERMISSION_TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${PERMISSION_TABLE_START} … ${PERMISSION_TABLE_END} block`);
  return `${readme.slice(0, start + PERMISSION_TABLE_START.length)}\n${permissionTable(routes)}\n${readme.slice(end)}`;
}
