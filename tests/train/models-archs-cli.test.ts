// `resnet-edge archs` through the real CLI.
import { describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.ts';

describe('resnet-edge archs', () => {
  it('--json lists every architecture with the reference ResNet counts at 224×224×3 / 1000 classes', async () => {
    const r = await runCli(['archs', '--json']);
    expect(r.code).toBe(0);
    const doc = json<{ architectures: { name: string; family: string; params: number | null }[] }>(r);
    const params = Object.fromEntries(doc.architectures.map((a) => [a.name, a.params]));
    expect(params).toMatchObject({
      resnet18: 11_689_512,
      resnet34: 21_797_672,
      resnet50: 25_557_032,
      resnet101: 44_549_160,
      resnet152: 60_192_808,
    });
    for (const name of [
      'resnet20',
      'resnet110',
      'plain20',
      'plain56',
      'plain18',
      'lenet',
      'alexnet',
      'vgg16',
      'googlenet',
    ]) {
      expect(params[name]).toBeGreaterThan(0);
    }
  });

  it('prints a table for people, with the input and class count it counted for', async () => {
    const r = await runCli(['archs', '--input', '28x28x1', '--classes', '10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Input 28×28×1, 10 classes');
    expect(r.stdout).toMatch(/^resnet20\s+resnet-cifar\s+272,186\s/m);
    // AlexNet needs at least 57×57: shown as unavailable, not as a number.
    expect(r.stdout).toMatch(/^alexnet\s+baseline\s+— \(needs ≥ 57×57\)/m);
  });

  it('exits 2 on a malformed --input, quoting it', async () => {
    const r = await runCli(['archs', '--input', '28x28']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'28x28'");
  });
});
