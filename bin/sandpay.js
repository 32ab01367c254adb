#!/usr/bin/env node
// The `sandpay` CLI. Node 22 runs the TypeScript source directly; an installed copy (under
// node_modules, where Node will not strip types) or an older Node uses the build (npm run build).
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/src/cli/main.js', import.meta.url);
const canStrip = !source.pathname.includes('/node_modules/') && process.features.typescript;
if (canStrip || !existsSync(built)) {
  if (!canStrip) {
    console.error(`sandpay: this Node (${process.version}) cannot run the TypeScript source; use Node 22.18 or later (npx sandpay in the repository does), or run npm run build`);
    process.exit(1);
  }
  await import(source.href);
} else {
  await import(built.href);
}
