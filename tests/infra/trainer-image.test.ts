// The trainer image's file set, built the way the Dockerfile builds it: only what its COPY lines bring, in a
// fresh folder, with the installed packages but none of the repo's other files. The CLI must start there and run
// `--help`, a real (tiny) `train`, and `retrain` up to its first store read. No Docker engine runs here, so this
// is the part of `docker build` that can break without one: a module the image does not ship.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const DOCKERFILE = readFileSync(join(ROOT, 'infra/docker/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
const IGNORED = new Set(['node_modules', '.resnet-edge', 'runs', 'test-output']);

/** [source, destination] of every COPY from the build context. */
function copies(): [string, string][] {
  return DOCKERFILE.split('\n')
    .filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))
    .flatMap((l) => {
      const args = l.trim().split(/\s+/).slice(1);
      const dest = args.at(-1)!;
      return args
        .slice(0, -1)
        .map((src): [string, string] => [src, dest.endsWith('/') ? join(dest, src.split('/').at(-1)!) : dest]);
    });
}

let app: string;

/** The image's node_modules: the installed packages, with the workspace links pointing inside the image. */
function linkNodeModules(dir: string): void {
  const nm = join(dir, 'node_modules');
  mkdirSync(join(nm, '@resnet-edge'), { recursive: true });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== '@resnet-edge') symlinkSync(join(ROOT, 'node_modules', entry), join(nm, entry));
  }
  for (const pkg of readdirSync(join(ROOT, 'node_modules', '@resnet-edge'))) {
    symlinkSync(join('..', '..', pkg), join(nm, '@resnet-edge', pkg));
  }
}

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, ['bin/resnet-edge.js', ...args], {
      cwd: app,
      env: { ...process.env, ...env },
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'trainer-image-'));
  for (const [src, dest] of copies()) {
    if (src.startsWith('infra/docker/') && dest.startsWith('/etc/')) continue; // system files, not the app
    cpSync(join(ROOT, src), join(app, dest), { recursive: true, filter: (p) => !IGNORED.has(p.split('/').at(-1)!) });
  }
  linkNodeModules(app);
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

describe('the trainer image file set', () => {
  it('ships the workspaces the CLI imports and not the worker or the tests', () => {
    for (const dir of ['bin', 'shared/src', 'registry/src', 'train/src', 'train/wasm', 'cli/src'])
      expect(existsSync(join(app, dir)), dir).toBe(true);
    for (const dir of ['edge/src', 'tests', 'data']) expect(existsSync(join(app, dir)), dir).toBe(false);
  });

  it('starts the CLI: --help, train --help, retrain --help', async () => {
    for (const args of [['--help'], ['train', '--help'], ['retrain', '--help']]) {
      const r = await cli(args);
      expect(r.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });

  it('trains a model for real from an IDX file', async () => {
    const idx = join(ROOT, 'tests/fixtures/datasets/idx/t10k-50-images-idx3-ubyte.gz');
    const out = join(app, 'runs/tiny');
    const r = await cli([
      'train',
      '--arch',
      'resnet20',
      '--data',
      idx,
      '--epochs',
      '1',
      '--batch-size',
      '16',
      '--backend',
      'wasm',
      '--workers',
      '1',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ arch: 'resnet20', backend: 'wasm', epochs: 1 });
    expect(existsSync(join(out, 'model', 'model.json'))).toBe(true);
  });

  it('runs retrain up to the store, and names what is missing', async () => {
    const idx = join(ROOT, 'tests/fixtures/datasets/idx/t10k-20-images-idx3-ubyte');
    const r = await cli(['retrain', '--json'], {
      RESNET_EDGE_MODEL: 'nothing-here',
      RESNET_EDGE_DATA: idx,
      RESNET_EDGE_TEST_DATA: idx,
      RESNET_EDGE_STORE: `r2-local:${join(app, 'state')}`,
    });
    expect(r.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('no_champion');
  });
});
