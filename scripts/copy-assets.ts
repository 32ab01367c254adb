// The second half of `npm run build`: tsc emits only JavaScript, and the built modules look for
// the files they serve beside themselves (import.meta.dirname), as the sources do. So every file
// under src/ that is not TypeScript (the dashboard's, checkout's and docs' public folders) is
// copied to the same place under dist/.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const outDir = path.join(root, 'dist');
let copied = 0;
for (const entry of readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const from = path.join(entry.parentPath, entry.name);
  const to = path.join(outDir, path.relative(root, from));
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
}
console.log(`copied ${copied} files from src/ to ${path.relative(root, outDir)}/src/`);
