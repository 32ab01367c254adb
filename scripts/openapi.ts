// npm run openapi: writes openapi.json at the repository root from the route table, so typed
// clients (examples/typed-client) can be generated without a running Sandpay, and rewrites the
// permission table in README.md from the routes' declared permissions.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openApiText } from '../src/contract/openapi.ts';
import { withPermissionTable } from '../src/contract/permission-table.ts';
import { ROUTES } from '../src/contract/table.ts';

const root = path.join(import.meta.dirname, '..');
const file = path.join(root, 'openapi.json');
writeFileSync(file, openApiText(ROUTES));
console.log(`wrote ${path.relative(process.cwd(), file) || file}`);

const readme = path.join(root, 'README.md');
const before = readFileSync(readme, 'utf8');
const after = withPermissionTable(before, ROUTES);
if (after !== before) writeFileSync(readme, after);
console.log(`${after === before ? 'checked' : 'updated'} the permission table in ${path.relative(process.cwd(), readme) || readme}`);
