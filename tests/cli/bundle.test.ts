// scripts/bundle-cli.sh is what the GPU machine's pack (scripts/pack-device-train.sh) runs: a plain Node with no
// repository, tsx or node_modules around it. So the bundle is run from a folder outside the repository, and it
// must find on its own every .wasm it names and the gradient worker it starts. The same goes for the GPU training
// benchmark it carries (bench-train-gpu.mjs), which the pack runs on the GPU machine (scripts/device-run-train-gpu.sh).
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

  it('runs the GPU training benchmark outside the repository: a compiled ResNet-20 step on the software adapter', () => {
    const bench = spawnSync(
      process.execPath,
      [join(bundleDir, 'bench-train-gpu.mjs'), '--shapes', 'resnet20:8:2', '--steps', '1', '--skip-tfjs'],
      { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir }, timeout: 120_000 },
    );
    expect(bench.status, bench.stderr).toBe(0);
    // | shape | step | img/s | ms/step | host ms/step | dispatches/step | submits/step | GPU memory | ratio |
    const row = bench.stdout.split('\n').find((line) => line.includes('| compiled WebGPU |'));
    const cells = row?.split('|').map((cell) => cell.trim()) ?? [];
    expect(Number(cells[3]), bench.stdout).toBeGreaterThan(0);
    expect(Number(cells[6])).toBeLessThanOrEqual(150);
    expect(Number(cells[7])).toBe(1);
    expect(bench.stdout).toMatch(/^\| resnet20 8×8 bs2 \| PyTorch \|/m); // its row, measured or saying why not
  }, 150_000);
});
