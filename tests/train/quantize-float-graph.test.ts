// The float graph (BatchNorm folded, ReLU fused, Dropout dropped) computes what the TF.js model computes.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../train/src/models/index.ts';
import { evaluateFloatGraph } from '../../train/src/quantize/float-eval.ts';
import { floatGraphFromModel } from '../../train/src/quantize/float-graph.ts';
import { foldBatchNorm } from '../../train/src/quantize/fold-batchnorm.ts';
import { randomizeBatchNorm } from './helpers/random-bn.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('foldBatchNorm', () => {
  it('matches conv followed by BN on every output channel', () => {
    // 1×1 conv, 2 inputs → 3 outputs: y[o] = Σ_i x[i] w[i,o] + b[o], then BN.
    const w = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const bn = {
      gamma: Float32Array.from([2, 1, 0.5]),
      beta: Float32Array.from([0.1, 0.2, 0.3]),
      mean: Float32Array.from([1, -1, 0]),
      variance: Float32Array.from([3, 0, 1]),
      epsilon: 1,
    };
    const { kernel, bias } = foldBatchNorm(w, Float32Array.from([0.5, 0, -0.5]), bn);
    const x = [0.7, -1.3];
    for (let o = 0; o < 3; o++) {
      const y = x[0]! * w[o]! + x[1]! * w[3 + o]! + [0.5, 0, -0.5][o]!;
      const expected = (bn.gamma[o]! * (y - bn.mean[o]!)) / Math.sqrt(bn.variance[o]! + 1) + bn.beta[o]!;
      expect(x[0]! * kernel[o]! + x[1]! * kernel[3 + o]! + bias[o]!).toBeCloseTo(expected, 5);
    }
  });
});

describe('floatGraphFromModel', () => {
  it.each([
    ['resnet20', [28, 28, 1]],
    ['plain20', [28, 28, 1]],
    ['resnet18', [32, 32, 3]],
    ['resnet50', [32, 32, 3]],
    ['googlenet', [32, 32, 3]],
    ['lenet', [28, 28, 1]],
    ['alexnet', [64, 64, 3]],
  ] as const)('%s: folded graph equals model.predict to 1e-4', (arch, shape) => {
    const model = buildModel(arch, { inputShape: [...shape], numClasses: 10 });
    randomizeBatchNorm(model);
    const graph = floatGraphFromModel(model);
    // No BatchNorm or standalone ReLU survives: every node is a TFLite op.
    expect(
      graph.nodes.every((n) =>
        ['input', 'conv', 'dense', 'add', 'maxpool', 'avgpool', 'mean', 'concat', 'flatten'].includes(n.kind),
      ),
    ).toBe(true);
    const x = tf.randomUniform([3, ...shape], -1, 1, 'float32', 7) as tf.Tensor4D;
    const want = model.predict(x) as tf.Tensor;
    const got = evaluateFloatGraph(graph, x);
    const scale = Math.max(1, tf.max(tf.abs(want)).dataSync()[0]!);
    expect(tf.max(tf.abs(tf.sub(want, got))).dataSync()[0]! / scale).toBeLessThan(1e-4);
    tf.dispose([x, want, got]);
    model.dispose();
  });

  it('names fused nodes after the last layer they absorb', () => {
    const model = buildModel('resnet20', { inputShape: [32, 32, 3], numClasses: 10 });
    const graph = floatGraphFromModel(model);
    const names = graph.nodes.map((n) => n.name);
    expect(names).toContain('conv2_block1_1_relu');
    expect(names).toContain('conv4_block3_out');
    expect(names).toContain('conv3_block1_0_bn');
    const out = graph.nodes.find((n) => n.name === 'conv4_block3_out')!;
    expect(out.kind === 'add' && out.relu).toBe(true);
    model.dispose();
  });
});
