// The peer check of issue 15: randomly initialised torchvision ResNet-18 and ResNet-50 (Debian's python3-torch,
// weights=None, fixed seed, BatchNorm statistics randomised), saved by PyTorch as .pth and .safetensors, imported
// by our readers into our networks, must give PyTorch's eval-mode logits on the same real images within 1e-4.
// Needs /usr/bin/python3 with torch (scripts/system-deps/python-torch.sh); skipped with a message without it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { preprocess } from '@resnet-edge/shared/preprocess/index';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../train/src/models/index.ts';
import { ensureBackend } from '../../train/src/run/trainer.ts';
import { applyStateDict } from '../../train/src/transfer/apply.ts';
import { IMAGENET_NORMALIZE, loadInit } from '../../train/src/transfer/source.ts';

const PYTHON = '/usr/bin/python3';
const haveTorch = spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
if (!haveTorch)
  console.warn(
    'torchvision-equality: skipped: /usr/bin/python3 has no torch/torchvision (run scripts/system-deps/python-torch.sh)',
  );

const SIZE = 64;
const IMAGES = ['color-640x427.jpg', 'color-50x40.png', 'orientation-6.jpg', 'palette-40x30.png'];
const SPEC: PreprocessSpec = {
  colorMode: 'rgb',
  resizeShorter: SIZE,
  resizeAlgorithm: 'bilinear',
  crop: { height: SIZE, width: SIZE },
  normalize: IMAGENET_NORMALIZE,
  maxPixels: 40_000_000,
};
const ARCHS = ['resnet18', 'resnet50'];

describe.skipIf(!haveTorch)(
  'torchvision ResNets imported from .pth and .safetensors compute what PyTorch computes',
  () => {
    let dir: string;
    let input: Float32Array;
    beforeAll(async () => {
      await ensureBackend('wasm', () => {});
      dir = mkdtempSync(join(tmpdir(), 'resnet-edge-tv-'));
      input = new Float32Array(IMAGES.length * SIZE * SIZE * 3);
      IMAGES.forEach((f, i) =>
        input.set(
          preprocess(new Uint8Array(readFileSync(join('tests/fixtures/images', f))), SPEC).tensor,
          i * SIZE * SIZE * 3,
        ),
      );
      writeFileSync(join(dir, 'input.bin'), input);
      const py = spawnSync(
        PYTHON,
        [
          'tests/transfer/torchvision_twin.py',
          dir,
          join(dir, 'input.bin'),
          String(IMAGES.length),
          String(SIZE),
          String(SIZE),
          ...ARCHS,
        ],
        { encoding: 'utf8' },
      );
      if (py.status !== 0) throw new Error(`torchvision_twin.py failed: ${py.stderr}`);
    }, 120_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    for (const arch of ARCHS) {
      for (const ext of ['pth', 'safetensors']) {
        it(`${arch} from .${ext}: logits within 1e-4 of PyTorch's`, async () => {
          const init = await loadInit(join(dir, `${arch}.${ext}`), { log: () => {} });
          expect(init.arch).toBe(arch);
          expect(init.padding).toBe('torchvision');
          const model = buildModel(arch, { inputShape: [SIZE, SIZE, 3], numClasses: 1000, padding: init.padding });
          applyStateDict(model, init.weights, { head: 'keep', source: init.source, origin: init.origin! });
          const ours = predict(model, input);
          const theirs = new Float32Array(readFileSync(join(dir, `${arch}.logits.bin`)).buffer.slice(0));
          expect(ours.length).toBe(theirs.length);
          let worst = 0;
          for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
          expect(worst).toBeLessThanOrEqual(1e-4);
          // The logits are not degenerate: images differ from one another.
          expect(Math.abs(theirs[0]! - theirs[1000]!)).toBeGreaterThan(1e-3);
          model.dispose();
        }, 60_000);
      }
    }

    it('the same weights in a TF "same"-padded network do not match: the padding mode is what makes them equal', async () => {
      const init = await loadInit(join(dir, 'resnet18.safetensors'), { log: () => {} });
      const model = buildModel('resnet18', { inputShape: [SIZE, SIZE, 3], numClasses: 1000 });
      applyStateDict(model, init.weights, { head: 'keep', source: init.source });
      const ours = predict(model, input);
      const theirs = new Float32Array(readFileSync(join(dir, 'resnet18.logits.bin')).buffer.slice(0));
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
      expect(worst).toBeGreaterThan(1e-2);
      model.dispose();
    }, 60_000);
  },
);

function predict(model: tfl.LayersModel, x: Float32Array): Float32Array {
  return tf.tidy(
    () => (model.predict(tf.tensor4d(x, [IMAGES.length, SIZE, SIZE, 3])) as tf.Tensor).dataSync() as Float32Array,
  );
}
