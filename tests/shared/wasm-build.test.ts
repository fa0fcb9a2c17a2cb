// The .wasm files are committed so that nothing has to build before tests or deploys; this keeps them honest:
// rebuilding each from its AssemblyScript source with the pinned compiler gives the same bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Every `asc … --outFile X …` command in a workspace's `build:wasm` script, with the file it writes. */
function buildCommands(workspace: string): { workspace: string; output: string; args: string[] }[] {
  const script = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')).scripts[
    'build:wasm'
  ] as string;
  return script.split(' && ').map((command) => {
    const args = command.replace(/^asc /, '').split(' ');
    return { workspace, output: args[args.indexOf('--outFile') + 1]!, args };
  });
}

const commands = [...buildCommands('shared'), ...buildCommands('train')];

test('every committed .wasm has a build command', () => {
  expect(commands.map(({ workspace, output }) => `${workspace}/${output}`)).toEqual([
    'shared/wasm/conv.wasm',
    'shared/wasm/inflate.wasm',
    'shared/wasm/jpeg.wasm',
    'shared/wasm/webp-filter.wasm',
    'train/wasm/kernels.wasm',
    'train/wasm/kernels-relaxed.wasm',
  ]);
});

test.each(commands)(
  '$workspace/$output is what `npm run build:wasm -w $workspace` builds',
  ({ workspace, output, args }) => {
    const dir = join(root, workspace);
    const out = join(mkdtempSync(join(tmpdir(), 'dot-wasm-')), 'out.wasm');
    const rebuilt = args.map((arg) => (arg === output ? out : arg));
    execFileSync(process.execPath, [join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'), ...rebuilt], {
      cwd: dir,
      stdio: 'pipe',
    });
    expect(new Uint8Array(readFileSync(out))).toEqual(new Uint8Array(readFileSync(join(dir, output))));
  },
  60_000,
);
