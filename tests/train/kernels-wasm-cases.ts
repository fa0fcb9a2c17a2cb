// Every kernel the wasm backend gets from train/src/backends/wasm-kernels is checked against tfjs' cpu
// backend (reference implementations) on the same random inputs, across strides, paddings, filter and
// batch sizes, including the odd shapes where VALID padding leaves rows unread. Imported by
// kernels-wasm.test.ts (train/wasm built with fused multiply-add) and kernels-wasm-plain.test.ts (without).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '../../train/src/backends/index.ts';
import { Rng } from '../../train/src/training/rng.ts';
import { relError, seededBatch, trainSmallResNet } from './backends-fixtures.ts';
import { batchNormTraining } from '../../train/src/layers/batch-norm.ts';
import { buildModel } from '../../train/src/models/index.ts';
import * as tfl from '@tensorflow/tfjs-layers';

function random(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

async function onBackend(backend: string, fn: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

async function compare(fn: () => tf.Tensor): Promise<number> {
  const [wasm, cpu] = [await onBackend('wasm', fn), await onBackend('cpu', fn)];
  return relError(wasm, cpu);
}

interface ConvCase {
  batch: number;
  size: [number, number];
  inC: number;
  outC: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: ConvCase[] = [
  { batch: 1, size: [5, 5], inC: 1, outC: 2, k: 3, stride: 1, pad: 'same' },
  { batch: 3, size: [8, 8], inC: 4, outC: 8, k: 3, stride: 1, pad: 'same' },
  { batch: 3, size: [8, 8], inC: 4, outC: 8, k: 3, stride: 2, pad: 'same' },
  { batch: 2, size: [7, 9], inC: 3, outC: 5, k: 3, stride: 2, pad: 'same' },
  { batch: 2, size: [7, 7], inC: 3, outC: 4, k: 3, stride: 2, pad: 'valid' },
  { batch: 4, size: [8, 8], inC: 8, outC: 16, k: 1, stride: 2, pad: 'valid' },
  { batch: 2, size: [11, 10], inC: 2, outC: 3, k: 5, stride: 3, pad: 'valid' },
  { batch: 2, size: [9, 9], inC: 3, outC: 6, k: 7, stride: 2, pad: 'same' },
  { batch: 8, size: [6, 6], inC: 16, outC: 16, k: 3, stride: 1, pad: 'valid' },
  { batch: 2, size: [7, 9], inC: 8, outC: 8, k: 3, stride: 2, pad: 'same' },
  { batch: 3, size: [10, 9], inC: 12, outC: 24, k: 5, stride: 1, pad: 'same' },
  { batch: 2, size: [9, 11], inC: 4, outC: 16, k: 3, stride: 2, pad: 'valid' },
  { batch: 64, size: [8, 8], inC: 64, outC: 64, k: 3, stride: 1, pad: 'same' },
  // ResNet-18's conv5 at 32×32 input: 2×2 → 1×1, where the last filter column reads only padding.
  { batch: 4, size: [2, 2], inC: 8, outC: 8, k: 3, stride: 2, pad: 'same' },
  { batch: 2, size: [3, 4], inC: 4, outC: 16, k: 3, stride: 2, pad: 'same' },
];

function describeCase(c: ConvCase): string {
  return `batch ${c.batch} ${c.size.join('×')}×${c.inC}→${c.outC} k${c.k} s${c.stride} ${c.pad}`;
}

function outSize(c: ConvCase): [number, number] {
  const f = (n: number) => (c.pad === 'same' ? Math.ceil(n / c.stride) : Math.ceil((n - c.k + 1) / c.stride));
  return [f(c.size[0]), f(c.size[1])];
}

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.tfBackend).toBe('wasm');
  expect(info.detail).toContain(process.env['RESNET_EDGE_WASM_FMA'] === '0' ? '1 thread, SIMD;' : 'fused multiply-add');
});

// tf.fused.conv2d is what inference runs (kernel FusedConv2D); tf.conv2d is the training pass of a bias-free
// conv layer (train/src/layers/conv2d.ts, kernel Conv2D). Both go to train/wasm/conv-forward.ts when Cout % 8 == 0.
const FORWARD_OPS = [
  {
    kernel: 'FusedConv2D',
    op: (x: tf.Tensor4D, w: tf.Tensor4D, c: ConvCase) =>
      tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad }),
  },
  { kernel: 'Conv2D', op: (x: tf.Tensor4D, w: tf.Tensor4D, c: ConvCase) => tf.conv2d(x, w, c.stride, c.pad) },
];

describe.each(FORWARD_OPS)('wasm $kernel without bias or activation', ({ op }) => {
  it.each(CASES)('matches cpu: $batch $size $inC→$outC k$k s$stride $pad', async (c) => {
    const x = random(c.batch * c.size[0] * c.size[1] * c.inC, 21);
    const w = random(c.k * c.k * c.inC * c.outC, 22);
    const err = await compare(() =>
      op(tf.tensor4d(x, [c.batch, c.size[0], c.size[1], c.inC]), tf.tensor4d(w, [c.k, c.k, c.inC, c.outC]), c),
    );
    expect(err, describeCase(c)).toBeLessThanOrEqual(1e-5);
  });
});

describe('wasm Conv2DBackpropFilter (registered by us; missing from tfjs-backend-wasm 4.22)', () => {
  it.each(CASES)('matches cpu: $batch $size $inC→$outC k$k s$stride $pad', async (c) => {
    const [oh, ow] = outSize(c);
    const x = random(c.batch * c.size[0] * c.size[1] * c.inC, 1);
    const dy = random(c.batch * oh * ow * c.outC, 2);
    const err = await compare(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          {
            x: tf.tensor4d(x, [c.batch, c.size[0], c.size[1], c.inC]),
            dy: tf.tensor4d(dy, [c.batch, oh, ow, c.outC]),
          },
          { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.inC, c.outC] },
        ) as tf.Tensor,
    );
    expect(err, describeCase(c)).toBeLessThanOrEqual(1e-5);
  });
});

describe('wasm Conv2DBackpropInput (replaced by zero-upsample + flipped-filter forward conv)', () => {
  it.each(CASES)('matches cpu: $batch $size $inC→$outC k$k s$stride $pad', async (c) => {
    const [oh, ow] = outSize(c);
    const dy = random(c.batch * oh * ow * c.outC, 3);
    const w = random(c.k * c.k * c.inC * c.outC, 4);
    const err = await compare(
      () =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: tf.tensor4d(dy, [c.batch, oh, ow, c.outC]), filter: tf.tensor4d(w, [c.k, c.k, c.inC, c.outC]) },
          {
            strides: [c.stride, c.stride],
            pad: c.pad,
            dataFormat: 'NHWC',
            inputShape: [c.batch, c.size[0], c.size[1], c.inC],
          },
        ) as tf.Tensor,
    );
    expect(err, describeCase(c)).toBeLessThanOrEqual(1e-5);
  });
});

describe('BatchNorm gradient without tile()', () => {
  // Reference: the same normalisation written with elementary ops on cpu, whose gradients are tfjs' own.
  function loss(useFused: boolean, x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, w: tf.Tensor4D): tf.Scalar {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y = useFused
      ? tf.batchNorm(x, mean, variance, beta, gamma, 1e-3)
      : tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma), beta);
    return tf.sum(tf.mul(y, w));
  }

  it.each([
    [2, 4, 4, 3],
    [8, 6, 6, 16],
    [1, 5, 7, 2],
  ] as [number, number, number, number][])('gradients wrt x, gamma, beta match cpu for shape %j', async (...shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const c = shape[3];
    const data = { x: random(n, 5), w: random(n, 6), gamma: random(c, 7).map((v) => v + 1.5), beta: random(c, 8) };
    const grads = (fused: boolean) => () => {
      const x = tf.tensor4d(data.x, shape);
      const gamma = tf.tensor1d(data.gamma);
      const beta = tf.tensor1d(data.beta);
      const w = tf.tensor4d(data.w, shape);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c2: tf.Tensor) =>
        loss(fused, a as tf.Tensor4D, b as tf.Tensor1D, c2 as tf.Tensor1D, w),
      )([x, gamma, beta]);
      return tf.concat(g.map((t) => tf.reshape(t, [-1])));
    };
    const wasm = await onBackend('wasm', grads(true));
    const cpuFused = await onBackend('cpu', grads(true));
    const cpuElementary = await onBackend('cpu', grads(false));
    expect(relError(wasm, cpuElementary)).toBeLessThanOrEqual(1e-5);
    expect(relError(cpuFused, cpuElementary)).toBeLessThanOrEqual(1e-5);
  });
});

describe('training BatchNorm as one op (train/src/layers/batch-norm.ts)', () => {
  // Reference: tf.moments + elementary ops on cpu, differentiated by tfjs' autodiff — what the stock layer does.
  function reference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const y = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
    return [y, mean, variance];
  }
  function fused(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const { y, mean, variance } = batchNormTraining(x, gamma, beta, 1e-5);
    return [y, mean, variance];
  }

  // Channels a multiple of 4 take the wasm kernels; 3 takes the ops path on every backend. The offset mean
  // (+3) checks the centred sums: Σdy·x − μΣdy would lose it.
  it.each([
    [2, 4, 4, 4],
    [8, 6, 6, 16],
    [3, 5, 7, 32],
    [64, 8, 8, 8],
    [2, 5, 5, 3],
  ] as [number, number, number, number][])(
    'outputs, statistics and gradients match autodiff on cpu for shape %j',
    async (...shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = shape[3];
      const data = {
        x: random(n, 15).map((v) => 3 + v),
        w: random(n, 16),
        gamma: random(c, 17).map((v) => v + 1.5),
        beta: random(c, 18),
      };
      const run = (impl: typeof fused) => () => {
        const x = tf.tensor4d(data.x, shape);
        const gamma = tf.tensor1d(data.gamma);
        const beta = tf.tensor1d(data.beta);
        const w = tf.tensor4d(data.w, shape);
        const [y, mean, variance] = impl(x, gamma, beta);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c2: tf.Tensor) =>
          tf.sum(tf.mul(impl(a as tf.Tensor4D, b as tf.Tensor1D, c2 as tf.Tensor1D)[0], w)),
        )([x, gamma, beta]);
        return tf.concat([y, mean, variance, ...g].map((t) => tf.reshape(t, [-1])));
      };
      const expected = await onBackend('cpu', run(reference));
      expect(relError(await onBackend('wasm', run(fused)), expected)).toBeLessThanOrEqual(1e-5);
      expect(relError(await onBackend('cpu', run(fused)), expected)).toBeLessThanOrEqual(1e-5);
    },
  );

  it('leaves no tensor behind', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([4, 3, 3, 8]);
      const out = batchNormTraining(x, tf.ones([8]), tf.zeros([8]), 1e-5);
      tf.dispose([out.mean, out.variance]);
      return tf.grad((a: tf.Tensor) => tf.sum(batchNormTraining(a, tf.ones([8]), tf.zeros([8]), 1e-5).y))(x);
    }).dispose();
    // The statistics leave batchNormTraining kept; the caller disposes them (the layer does).
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2);
  });
});

describe('models rebuilt from JSON (gradient workers, loaded runs)', () => {
  it('train with the fused BatchNorm and serialise as the stock layer', async () => {
    await tf.setBackend('wasm');
    const built = buildModel('resnet20', { inputShape: [8, 8, 3], numClasses: 3 });
    const json = built.toJSON(null, false) as unknown as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.filter((l) => l.class_name === 'BatchNormalization')).toHaveLength(21);
    const rebuilt = await tfl.models.modelFromJSON({
      modelTopology: json as unknown as tf.io.ModelJSON['modelTopology'],
    });
    const x = tf.randomNormal([4, 8, 8, 3]);
    const profile = await tf.profile(() =>
      tf.tidy(() => tf.grad((a: tf.Tensor) => tf.sum(rebuilt.apply(a, { training: true }) as tf.Tensor))(x)),
    );
    const names = new Set(profile.kernels.map((k) => k.name));
    expect(names).toContain('ResnetEdgeBatchNormTrain');
    expect(names).toContain('ResnetEdgeBatchNormTrainGrad');
    expect(names).not.toContain('Square'); // tf.moments' variance: the stock training path
    x.dispose();
  });
});

describe('the training pass computes only the gradients it needs', () => {
  it("never computes the image's gradient (the stem's transposed convolution)", async () => {
    await tf.setBackend('wasm');
    const model = buildModel('resnet20', { inputShape: [8, 8, 3], numClasses: 3 });
    const x = tf.randomNormal([4, 8, 8, 3]);
    const profile = await tf.profile(() =>
      tf.tidy(() =>
        Object.values(tf.variableGrads(() => tf.sum(model.apply(x, { training: true }) as tf.Tensor)).grads),
      ),
    );
    const inChannels = (k: { inputShapes: number[][] }) => k.inputShapes[1]?.[2];
    const filterGrads = profile.kernels.filter((k) => k.name === 'Conv2DBackpropFilter');
    const inputGrads = profile.kernels.filter((k) => k.name === 'Conv2DBackpropInput');
    expect(filterGrads).toHaveLength(21); // every convolution's filter, the stem's included
    expect(inputGrads).toHaveLength(20); // every convolution's input but the stem's, whose input is the image
    expect(inputGrads.filter((k) => inChannels(k) === 3)).toHaveLength(0);
    x.dispose();
  });
});

describe('ReLU gradient in one pass', () => {
  it('matches cpu, zeros and negatives included', async () => {
    const x = random(4 * 5 * 5 * 6 + 3, 19).map((v, i) => (i % 7 === 0 ? 0 : v));
    const w = random(x.length, 20);
    const err = await compare(() =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), tf.tensor1d(w))))(tf.tensor1d(x)),
    );
    expect(err).toBe(0);
  });
});

describe('a whole training step on patched wasm', () => {
  // End to end: every kernel a ResNet step uses (fused conv forward, both conv gradients, BatchNorm and
  // its gradient, add, pooling, dense, softmax cross-entropy, SGD with momentum) against cpu.
  async function train(backend: string, initial: Float32Array[] | undefined) {
    await tf.setBackend(backend);
    return trainSmallResNet(13, 2, (i) => seededBatch(12, 8, 3, 4, 40 + i), initial);
  }

  it('two SGD steps of a small ResNet with BatchNorm match cpu', async () => {
    const wasm = await train('wasm', undefined);
    const cpu = await train('cpu', wasm.start);
    wasm.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]!) / cpu.losses[i]!).toBeLessThan(1e-5));
    wasm.end.forEach((w, k) => expect(relError(w, cpu.end[k]!), `weight ${k}`).toBeLessThan(1e-5));
  });
});
