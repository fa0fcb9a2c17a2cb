// `resnet-edge preprocess` through the real CLI entry: bundled PNG, a JPEG fixture, bad files, bad specs.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '../..');
const FASHION_SPEC = join(ROOT, 'docs/examples/fashion-mnist.spec.json');
const IMAGENET_SPEC = join(ROOT, 'docs/examples/imagenet.spec.json');
const FIXTURES = join(ROOT, 'tests/fixtures/images');
const bagDir = join(ROOT, 'data/fashion-mnist-mini/test/bag');
const BAG_PNG = join(bagDir, readdirSync(bagDir).sort()[0]!);

interface Report {
  file: string;
  format: string;
  decoded: { width: number; height: number; channels: number };
  shape: number[];
  min: number;
  max: number;
  mean: number;
  sha256: string;
}

describe('resnet-edge preprocess', () => {
  it('describes a bundled Fashion-MNIST PNG', async () => {
    const r = await runCli(['preprocess', BAG_PNG, '--spec', FASHION_SPEC, '--json']);
    expect(r.code).toBe(0);
    const report = json<Report>(r);
    expect(report).toMatchObject({
      file: BAG_PNG,
      format: 'png',
      decoded: { width: 28, height: 28, channels: 1 },
      shape: [1, 28, 28, 1],
    });
    // Pixels span 0..255 in a Fashion-MNIST image: min and max are the normalised ends.
    expect(report.min).toBeCloseTo((0 - 0.286) / 0.353, 5);
    expect(report.max).toBeLessThanOrEqual((1 - 0.286) / 0.353 + 1e-6);
    expect(report.mean).toBeGreaterThan(report.min);
    expect(report.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Deterministic: the same file gives the same hash; another file a different one.
    const again = json<Report>(await runCli(['preprocess', BAG_PNG, '--spec', FASHION_SPEC, '--json']));
    expect(again.sha256).toBe(report.sha256);
    const other = join(bagDir, readdirSync(bagDir).sort()[1]!);
    expect(json<Report>(await runCli(['preprocess', other, '--spec', FASHION_SPEC, '--json'])).sha256).not.toBe(
      report.sha256,
    );
  });

  it('describes a colour JPEG with the ImageNet recipe', async () => {
    const r = await runCli(['preprocess', join(FIXTURES, 'color-640x427.jpg'), '--spec', IMAGENET_SPEC, '--json']);
    expect(r.code).toBe(0);
    const report = json<Report>(r);
    expect(report).toMatchObject({
      format: 'jpeg',
      decoded: { width: 640, height: 427, channels: 3 },
      shape: [1, 224, 224, 3],
    });
    expect(report.min).toBeGreaterThanOrEqual(-2.2);
    expect(report.max).toBeLessThanOrEqual(2.7);
    expect(r.stderr).toContain('jpeg 640×427×3 → 1×224×224×3');
  });

  it('prints a human summary without --json', async () => {
    const r = await runCli(['preprocess', BAG_PNG, '--spec', FASHION_SPEC]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tensor 1×28×28×1 {2}min -0\.81\d+/);
  });

  it.each([
    ['truncated.jpg', 'corrupt_image'],
    ['empty.jpg', 'empty_image'],
    ['not-an-image.jpg', 'unsupported_format'],
    ['huge-header-50000x50000.png', 'too_many_pixels'],
  ])('%s exits 1 with %s', async (name, code) => {
    const r = await runCli(['preprocess', join(FIXTURES, name), '--spec', FASHION_SPEC, '--json']);
    expect(r.code).toBe(1);
    expect(json<{ error: { code: string } }>(r).error.code).toBe(code);
    expect(r.stderr).toContain(`[${code}]`);
  });

  it('--max-pixels overrides the spec’s limit', async () => {
    const jpeg = join(FIXTURES, 'color-37x23.jpg'); // 851 pixels
    const refused = await runCli(['preprocess', jpeg, '--spec', FASHION_SPEC, '--max-pixels', '850', '--json']);
    expect(refused.code).toBe(1);
    expect(json<{ error: { code: string } }>(refused).error.code).toBe('too_many_pixels');
    expect((await runCli(['preprocess', jpeg, '--spec', FASHION_SPEC, '--max-pixels', '851', '--json'])).code).toBe(0);
    const bad = await runCli(['preprocess', jpeg, '--spec', FASHION_SPEC, '--max-pixels', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-pixels expects an integer, got 'lots'");
  });

  it('refuses a bad spec with exit 2, naming the file and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resnet-edge-spec-'));
    const badField = join(dir, 'bad.spec.json');
    writeFileSync(
      badField,
      JSON.stringify({
        colorMode: 'sepia',
        resizeShorter: 28,
        resizeAlgorithm: 'bilinear',
        crop: { height: 28, width: 28 },
        normalize: { kind: 'scale', scale: 1, offset: 0 },
      }),
    );
    const r = await runCli(['preprocess', BAG_PNG, '--spec', badField]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(badField);
    expect(r.stderr).toContain('colorMode');
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ nope');
    const r2 = await runCli(['preprocess', BAG_PNG, '--spec', notJson]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`--spec ${notJson}: cannot read it as JSON`);
    const missing = await runCli(['preprocess', BAG_PNG]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--spec is required');
  });

  it('refuses a missing image file with exit 2', async () => {
    const r = await runCli(['preprocess', join(FIXTURES, 'no-such.png'), '--spec', FASHION_SPEC]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such.png');
  });
});
