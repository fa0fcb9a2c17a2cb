// `npm run bench -- <name> [args]`: runs bench/<name>.ts with the remaining arguments.
// Each benchmark prints a table with our numbers and the peer's (PyTorch, LiteRT.js) from the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3));
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(
    `usage: npm run bench -- <${available.join('|')}> [options]${name ? `\nunknown benchmark '${name}'` : ''}`,
  );
  process.exit(2);
}
const script = join(here, `${name}.ts`);
if (!existsSync(script)) process.exit(2);
const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
