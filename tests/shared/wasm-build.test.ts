// The .wasm files are committed so that nothing has to build before tests or deploys; this keeps them honest:
// rebuilding each from its AssemblyScript source with the pinned compiler gives the same bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

test.each([
  ['shared', 'wasm/conv.wasm'],
  ['train', 'wasm/kernels.wasm'],
])('%s/%s is what `npm run build:wasm -w %s` builds', (workspace, output) => {
  const dir = join(root, workspace);
  const script = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts['build:wasm'] as string;
  const out = join(mkdtempSync(join(tmpdir(), 'dot-wasm-')), 'out.wasm');
  const args = script.replace(/^asc /, '').replace(`--outFile ${output}`, `--outFile ${out}`).split(' ');
  execFileSync(process.execPath, [join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'), ...args], { cwd: dir, stdio: 'pipe' });
  expect(new Uint8Array(readFileSync(out))).toEqual(new Uint8Array(readFileSync(join(dir, output))));
}, 60_000);
