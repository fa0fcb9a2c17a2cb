// scripts/bundle-cli.sh is what the GPU machine's pack (scripts/pack-device-train.sh) runs: a plain Node with no
// repository, tsx or node_modules around it. So the bundle is run from a folder outside the repository, and it
// must find on its own every .wasm it names and the gradient worker it starts.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const fixtures = join(root, 'tests/fixtures/datasets/idx');
let dir: string;
let bundleDir: string;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((f) => join(folder, f));
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [join(bundleDir, 'resnet-edge.mjs'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    // The opt-out variables would hide a .wasm the bundle cannot find.
    env: { PATH: process.env.PATH, HOME: dir },
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bundle-cli-'));
  bundleDir = join(dir, 'app');
  execFileSync('bash', [join(root, 'scripts/bundle-cli.sh'), bundleDir], { cwd: root, stdio: 'pipe' });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundled CLI (scripts/bundle-cli.sh)', () => {
  it('answers --help for itself and for train, eval and quantize', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    for (const name of ['train', 'eval', 'quantize']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
      const help = cli(name, '--help');
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain(`Usage: resnet-edge ${name}`);
    }
  });

  it('carries every .wasm file its code names', () => {
    const files = filesUnder(bundleDir);
    const named = new Set<string>();
    for (const js of ['resnet-edge.mjs', 'worker-entry.mjs']) {
      for (const m of readFileSync(join(bundleDir, js), 'utf8').matchAll(/["'`/]([\w-]+\.wasm)["'`]/g))
        named.add(m[1]!);
    }
    // The repo's own (conv, jpeg, webp-filter, the two trainer builds) and tfjs-backend-wasm's three.
    expect(named.size).toBeGreaterThanOrEqual(8);
    const missing = [...named].filter((name) => !files.some((f) => f.endsWith(`/${name}`)));
    expect(missing).toEqual([]);
  });

  it('trains on wasm with a gradient worker, then evaluates and quantizes the run', () => {
    const run = join(dir, 'run');
    const data = ['--data', join(fixtures, 't10k-50-images-idx3-ubyte.gz')];
    const train = cli(
      'train',
      ...data,
      ...['--test-data', join(fixtures, 't10k-20-images-idx3-ubyte')],
      ...['--spec', join(root, 'docs/examples/fashion-mnist.spec.json'), '--validation-fraction', '0'],
      ...['--epochs', '1', '--batch-size', '16', '--augment', 'crop,flip,erase'],
      ...['--backend', 'wasm', '--workers', '2', '--out', run, '--json'],
    );
    expect(train.status, train.stderr).toBe(0);
    const result = JSON.parse(train.stdout) as { epochs: number; test: { top1: number } };
    expect(result.epochs).toBe(1);
    expect(train.stderr).toMatch(/backend wasm × 2 gradient workers/);
    expect(result.test.top1).toBeGreaterThanOrEqual(0);

    const evaluated = cli('eval', '--run', run, '--backend', 'wasm', '--json');
    expect(evaluated.status, evaluated.stderr).toBe(0);
    expect((JSON.parse(evaluated.stdout) as { metrics: { top1: number } }).metrics.top1).toBe(result.test.top1);

    const quantized = cli('quantize', '--run', run, '--backend', 'wasm', '--max-drop', '100', '--json');
    expect(quantized.status, quantized.stderr).toBe(0);
    expect((JSON.parse(quantized.stdout) as { comparison: { samples: number } }).comparison.samples).toBe(20);
  });
});
