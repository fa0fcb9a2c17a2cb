// shared/wasm/conv.wasm is committed so that nothing has to build before tests or deploys; this keeps it honest:
// rebuilding shared/wasm/conv.ts with the pinned AssemblyScript gives the same bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('conv.wasm is what `npm run build:wasm -w shared` builds from conv.ts', () => {
  const shared = join(import.meta.dirname, '..', '..', 'shared');
  const script = JSON.parse(readFileSync(join(shared, 'package.json'), 'utf8')).scripts['build:wasm'] as string;
  const out = join(mkdtempSync(join(tmpdir(), 'dot-wasm-')), 'conv.wasm');
  const args = script.replace(/^asc /, '').replace('--outFile wasm/conv.wasm', `--outFile ${out}`).split(' ');
  execFileSync(process.execPath, [join(shared, '..', 'node_modules', 'assemblyscript', 'bin', 'asc.js'), ...args], { cwd: shared, stdio: 'pipe' });
  expect(new Uint8Array(readFileSync(out))).toEqual(new Uint8Array(readFileSync(join(shared, 'wasm', 'conv.wasm'))));
}, 60_000);
