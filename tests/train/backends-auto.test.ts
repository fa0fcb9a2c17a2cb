// `auto` among GPU backends, with the backends this machine really has: webgpu on the software Vulkan adapter
// (allowed via RESNET_EDGE_ALLOW_SOFTWARE_GPU=1), wasm, and tfjs-node-gpu, which cannot install here.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../train/src/backends/index.ts';
import { resolvePackage } from '../../train/src/backends/native.ts';
import { raceBackends, type Contender } from '../../train/src/backends/race.ts';
import { initWasm } from '../../train/src/backends/wasm.ts';
import { probeThroughput } from '../../train/src/run/backend-probe.ts';
import { driver, favourCompileTime, haveDriver } from './gpu-step-fixtures.ts';

const nativeGpu = resolvePackage('@tensorflow/tfjs-node-gpu', import.meta.url) !== undefined;

describe.skipIf(!haveDriver || nativeGpu)(`backend auto between GPU backends (Vulkan driver ${driver})`, () => {
  it('with one GPU backend it takes it and logs why the other was skipped', async () => {
    favourCompileTime();
    const before = process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'];
    process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'] = '1';
    const logs: string[] = [];
    try {
      const info = await initBackend('auto', (m) => logs.push(m), probeThroughput);
      expect(info.name).toBe('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
      expect(info.fallbacks.map((f) => f.name)).toEqual(['tfjs-node-gpu']);
    } finally {
      if (before === undefined) delete process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'];
      else process.env['RESNET_EDGE_ALLOW_SOFTWARE_GPU'] = before;
    }
    const line = logs.find((l) => l.startsWith('backend auto →'));
    expect(line).toMatch(
      /^backend auto → webgpu \(the only GPU backend that started; tfjs-node-gpu unavailable: @tensorflow\/tfjs-node-gpu is not installed/,
    );
  });

  it('with several it measures each, activates the fastest and says so; one that cannot run loses with its reason', async () => {
    const wasm = await initWasm();
    const contenders: Contender[] = [
      { name: 'webgpu', tfBackend: 'webgpu', detail: 'lavapipe' },
      { name: 'wasm', tfBackend: wasm.tfBackend, detail: wasm.detail },
      // Registered by nothing here: its probe fails for real (tf.setBackend cannot find it).
      { name: 'tfjs-node-gpu', tfBackend: 'tensorflow', detail: 'not installed' },
    ];
    const race = await raceBackends(contenders, probeThroughput, { size: 8, batch: 4, steps: 1 });
    const [gpu, cpu, native] = race.results;
    expect(gpu).toMatchObject({ name: 'webgpu', what: 'compiled step' });
    expect(cpu).toMatchObject({ name: 'wasm', what: 'tfjs step' });
    expect(gpu!.imgPerSec).toBeGreaterThan(0);
    expect(cpu!.imgPerSec).toBeGreaterThan(0);
    expect(native!.imgPerSec).toBeUndefined();
    expect(native!.error).toMatch(/tensorflow/);
    const faster = gpu!.imgPerSec! > cpu!.imgPerSec! ? 'webgpu' : 'wasm';
    expect(race.winner.name).toBe(faster);
    expect(tf.getBackend()).toBe(faster);
    expect(race.line).toMatch(new RegExp(`^backend auto → ${faster} \\((compiled|tfjs) step [\\d.]+ img/s vs `));
    expect(race.line).toMatch(/tfjs-node-gpu: tfjs step failed: .*tensorflow/);
    expect(tf.memory().numTensors).toBe(0); // the probes leave nothing behind: the run can still start
  });
});
