// ResNet-18 (7×7/2 stem, max-pool, projection shortcuts) on the compiled WebGPU step: 3 AdamW steps with label
// smoothing against the TF.js step on the wasm backend (see gpu-step-resnet20.test.ts for why wasm).
//
// Shapes: 64×64, batch 2, so the last stage still has 2×2 pixels and each BatchNorm sees ≥ 8 values per
// channel. At 32×32 it sees 2–4 (1×1 pixels), where the statistics are so ill-conditioned that the cpu, wasm and
// WebGPU gradients of stage 4 disagree by ~7e-2 with one another; that run also showed the wasm backend's filter
// gradient of the 2×2 → 1×1 stride-2 conv to be wrong (relError 1.0 against cpu; WebGPU matched cpu to 7e-4).
// Adam's ε is 1e-2: with 1e-8, the first steps move every weight by ≈ lr·sign(g), so a gradient at rounding
// level (BatchNorm β behind another BatchNorm) flips a whole step between two correct backends (measured: β
// relError 0.3–1 after 3 steps); with ε = 1e-2 the rule is unchanged and such gradients move weights little.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { initBackend } from '../../train/src/backends/index.ts';
import { acquireGpu, type GpuContext } from '../../train/src/gpu/device.ts';
import { buildModel } from '../../train/src/models/index.ts';
import type { OptimizerConfig } from '../../train/src/training/optimizer.ts';
import { withSeededMathRandom } from '../../train/src/training/rng.ts';
import { seededBatch } from './backends-fixtures.ts';
import { compiled, driver, expectClose, favourCompileTime, haveDriver, reference } from './gpu-step-fixtures.ts';

const adamw: OptimizerConfig = { kind: 'adamw', momentum: 0, weightDecay: 0.01, epsilon: 1e-2 };
const make = () => withSeededMathRandom(5, () => buildModel('resnet18', { inputShape: [64, 64, 3], numClasses: 4 }));
const batch = (i: number) => seededBatch(2, 64, 3, 4, 200 + i);

describe.skipIf(!haveDriver)(`ResNet-18 on the compiled WebGPU step (Vulkan driver ${driver})`, () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    favourCompileTime();
    await initBackend('wasm');
    ctx = await acquireGpu();
  });
  afterAll(() => ctx?.device.destroy());

  // Measured here: losses within 2e-5, weights within 8e-5 (relError, worst tensor).
  it('3 AdamW steps (64×64, batch 2, label smoothing 0.1) match the wasm backend: losses ≤ 1e-4, weights ≤ 2e-4', async () => {
    const ref = await reference(make, adamw, 3, batch, 1e-3, 0.1);
    const gpu = await compiled(ctx, make, adamw, 3, batch, 1e-3, 0.1);
    expectClose(
      gpu,
      ref,
      gpu.model.weights.map((w) => w.name),
      1e-4,
      2e-4,
    );
    gpu.trainer.destroy();
  }, 180_000); // ≈ 30 s of CPU; 65 s wall with cold shader caches on 2 busy cores
});
