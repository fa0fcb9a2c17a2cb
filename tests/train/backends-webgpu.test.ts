// WebGPU (Dawn) on the software Vulkan adapter that scripts/system-deps/webgpu.sh installs: a few SGD
// steps of a small ResNet must match the cpu backend from the same initial weights. On a real GPU the
// same test runs unchanged.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../../train/src/backends/index.ts';
import { DEFAULT_LAVAPIPE_ICD } from '../../train/src/backends/webgpu.ts';
import { seededBatch, trainSmallResNet } from './backends-fixtures.ts';

const driver = process.env['VK_DRIVER_FILES'] ?? process.env['RESNET_EDGE_VK_ICD'] ?? DEFAULT_LAVAPIPE_ICD;
const haveDriver = existsSync(driver) || process.env['RESNET_EDGE_REAL_GPU'] === '1';

const train = (steps: number, initial: Float32Array[] | undefined) =>
  trainSmallResNet(11, steps, () => seededBatch(16, 8, 3, 4, 100), initial);

describe.skipIf(!haveDriver)(`webgpu backend (Vulkan driver ${driver})`, () => {
  it('three SGD-momentum steps of a small ResNet match the cpu backend', async () => {
    const info = await initBackend('webgpu');
    expect(info.tfBackend).toBe('webgpu');
    const gpu = await train(3, undefined);

    await tf.setBackend('cpu');
    const cpu = await train(3, gpu.start);

    for (let i = 0; i < 3; i++)
      expect(Math.abs(gpu.losses[i]! - cpu.losses[i]!)).toBeLessThan(1e-4 * Math.abs(cpu.losses[i]!));
    expect(gpu.losses[2]).toBeLessThan(gpu.losses[0]!); // it fits the (fixed) batch
    gpu.end.forEach((w, k) => {
      const ref = cpu.end[k]!;
      const scale = Math.max(...ref.map(Math.abs), 1e-3);
      const diff = Math.max(...w.map((v, i) => Math.abs(v - ref[i]!)));
      expect(diff / scale, `weight ${k}`).toBeLessThan(1e-4);
    });
  });
});
