// The model zoo: Table 1's exact parameter counts, the analytic count agreeing with built models,
// output shapes for the seeds' input sizes, predictable layer names, plain = no shortcuts, and errors.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARCHITECTURES,
  buildModel,
  countParams,
  ModelError,
  trainableParams,
  type BuildOptions,
} from '../../train/src/models/index.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const IMAGENET: BuildOptions = { inputShape: [224, 224, 3], numClasses: 1000 };

function withModel<T>(arch: string, opts: BuildOptions, fn: (m: tfl.LayersModel) => T): T {
  const m = buildModel(arch, opts);
  try {
    return fn(m);
  } finally {
    m.dispose();
  }
}

const layerNames = (m: tfl.LayersModel) => m.layers.map((l) => l.name);
const layerClass = (m: tfl.LayersModel, cls: string) => m.layers.filter((l) => l.getClassName() === cls);

describe('parameter counts', () => {
  it.each([
    ['resnet18', 11_689_512],
    ['resnet34', 21_797_672],
    ['resnet50', 25_557_032],
    ['resnet101', 44_549_160],
    ['resnet152', 60_192_808],
  ])('%s at 224×224×3, 1000 classes has the reference count', (arch, expected) => {
    expect(countParams(arch, IMAGENET)).toBe(expected);
  });

  it.each(['resnet18', 'resnet50'])('the analytic count of %s equals the built model at 224×224×3', (arch) => {
    withModel(arch, IMAGENET, (m) => expect(trainableParams(m)).toBe(countParams(arch, IMAGENET)));
  });

  it('excludes only the BatchNorm moving statistics from TF.js countParams()', () => {
    withModel('resnet20', { inputShape: [32, 32, 3], numClasses: 10 }, (m) => {
      const bnChannels = layerClass(m, 'BatchNormalization').reduce((n, l) => n + (l.getWeights()[0]?.size ?? 0), 0);
      expect(m.countParams()).toBe(trainableParams(m) + 2 * bnChannels);
    });
  });

  const small: BuildOptions = { inputShape: [64, 64, 3], numClasses: 10 };
  const buildable = ARCHITECTURES.map((a) => a.name).filter(
    (n) => !/(101|152)$/.test(n) && n !== 'vgg16' && n !== 'alexnet',
  );
  it.each(buildable)('analytic count of %s equals the built model at 64×64×3', (arch) => {
    withModel(arch, small, (m) => expect(trainableParams(m)).toBe(countParams(arch, small)));
  });

  it.each(['vgg16', 'alexnet'])('analytic count of %s equals the built model at its smallest input', (arch) => {
    const min = ARCHITECTURES.find((a) => a.name === arch)!.minInputSize;
    const opts: BuildOptions = { inputShape: [min, min, 3], numClasses: 10 };
    withModel(arch, opts, (m) => expect(trainableParams(m)).toBe(countParams(arch, opts)));
  });

  it('ResNet-20 (CIFAR, projection shortcuts) has ≈0.27 M parameters as in the paper', () => {
    expect(countParams('resnet20', { inputShape: [32, 32, 3], numClasses: 10 })).toBe(272_474);
  });
});

describe('shapes', () => {
  it.each([
    ['resnet20', [28, 28, 1], 10],
    ['plain20', [28, 28, 1], 10],
    ['lenet', [28, 28, 1], 10],
    ['resnet18', [64, 64, 3], 200],
    ['googlenet', [64, 64, 3], 200],
    ['resnet50', [64, 64, 3], 200],
  ] as const)('%s runs on %j and outputs %d logits', (arch, shape, classes) => {
    withModel(arch, { inputShape: [...shape], numClasses: classes }, (m) => {
      const y = tf.tidy(() => (m.predict(tf.randomNormal([2, ...shape])) as tf.Tensor).arraySync() as number[][]);
      expect(y.length).toBe(2);
      expect(y[0]!.length).toBe(classes);
      expect(y.flat().every(Number.isFinite)).toBe(true);
    });
  });

  it('a 224×224×3 ResNet-18 downsamples to 7×7×512 before pooling', () => {
    withModel('resnet18', IMAGENET, (m) => {
      expect(m.getLayer('conv5_block2_out').outputShape).toEqual([null, 7, 7, 512]);
      expect(m.getLayer('pool1_pool').outputShape).toEqual([null, 56, 56, 64]);
      expect(m.outputs[0]!.shape).toEqual([null, 1000]);
    });
  });

  it('a sigmoid head is one logit for two classes; the head is always a linear Dense named predictions', () => {
    withModel('resnet20', { inputShape: [32, 32, 3], numClasses: 2, head: 'sigmoid' }, (m) => {
      const head = m.getLayer('predictions');
      expect(head.getClassName()).toBe('Dense');
      expect(head.getConfig().activation).toBe('linear');
      expect(m.outputs[0]!.shape).toEqual([null, 1]);
    });
  });
});

describe('layer names and shortcuts', () => {
  it('ResNet-50 names layers like Keras applications', () => {
    withModel('resnet50', { inputShape: [32, 32, 3], numClasses: 10 }, (m) => {
      const names = layerNames(m);
      for (const n of [
        'conv1_conv',
        'conv1_bn',
        'conv1_relu',
        'pool1_pool',
        'conv2_block1_0_conv',
        'conv4_block3_2_bn',
        'conv4_block6_3_conv',
        'conv5_block3_out',
        'avg_pool',
        'predictions',
      ]) {
        expect(names).toContain(n);
      }
      // Only the first block of a stage projects (shape changes there); identity elsewhere.
      expect(names.filter((n) => n.endsWith('_0_conv'))).toEqual([
        'conv2_block1_0_conv',
        'conv3_block1_0_conv',
        'conv4_block1_0_conv',
        'conv5_block1_0_conv',
      ]);
      expect(m.getLayer('conv4_block1_2_conv').getConfig().strides).toEqual([2, 2]);
      expect(m.getLayer('conv4_block2_2_conv').getConfig().strides).toEqual([1, 1]);
      expect(layerClass(m, 'Add').length).toBe(3 + 4 + 6 + 3);
    });
  });

  it('ResNet-20 projects only where the stage changes width; conv2 keeps identity', () => {
    withModel('resnet20', { inputShape: [32, 32, 3], numClasses: 10 }, (m) => {
      expect(layerNames(m).filter((n) => n.endsWith('_0_conv'))).toEqual([
        'conv3_block1_0_conv',
        'conv4_block1_0_conv',
      ]);
      expect(m.getLayer('conv4_block3_out').outputShape).toEqual([null, 8, 8, 64]);
      expect(m.getLayer('conv2_block1_1_conv').getConfig().useBias).toBe(false);
    });
  });

  it.each(['plain20', 'plain56', 'plain18', 'plain50'])('%s has no Add layers and no projection convs', (arch) => {
    withModel(arch, { inputShape: [32, 32, 3], numClasses: 10 }, (m) => {
      expect(layerClass(m, 'Add')).toEqual([]);
      expect(layerNames(m).some((n) => n.includes('_0_'))).toBe(false);
    });
  });

  it('plain and residual networks of the same depth share every non-shortcut layer', () => {
    const opts: BuildOptions = { inputShape: [32, 32, 3], numClasses: 10 };
    const res = withModel('resnet56', opts, (m) =>
      layerNames(m).filter((n) => !n.includes('_0_') && !n.endsWith('_add')),
    );
    const plain = withModel('plain56', opts, layerNames);
    expect(plain).toEqual(res);
  });

  it('GoogLeNet has nine Inception modules', () => {
    withModel('googlenet', { inputShape: [32, 32, 3], numClasses: 10 }, (m) => {
      expect(layerClass(m, 'Concatenate').map((l) => l.name)).toEqual(
        ['3a', '3b', '4a', '4b', '4c', '4d', '4e', '5a', '5b'].map((s) => `inception${s}_concat`),
      );
    });
  });
});

describe('errors', () => {
  function codeOf(fn: () => unknown): string | undefined {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      return `${(e as ModelError).code}: ${(e as Error).message}`;
    }
    return undefined;
  }

  it('refuses an unknown architecture, naming it and the known ones', () => {
    const msg = codeOf(() => buildModel('resnet19', IMAGENET));
    expect(msg).toMatch(/^unknown_arch: .*'resnet19'.*resnet18/);
  });

  it('refuses 16×16 into ResNet-50, quoting the size received and the minimum', () => {
    const msg = codeOf(() => buildModel('resnet50', { inputShape: [16, 16, 3], numClasses: 10 }));
    expect(msg).toMatch(/^input_too_small: .*32×32.*16×16/);
    expect(codeOf(() => countParams('resnet50', { inputShape: [16, 16, 3], numClasses: 10 }))).toMatch(
      /^input_too_small/,
    );
  });

  it('accepts each network exactly from its smallest input', () => {
    for (const arch of ['lenet', 'alexnet', 'resnet20', 'googlenet']) {
      const min = ARCHITECTURES.find((a) => a.name === arch)!.minInputSize;
      withModel(arch, { inputShape: [min, min, 1], numClasses: 10 }, (m) =>
        expect(m.outputs[0]!.shape).toEqual([null, 10]),
      );
      expect(codeOf(() => buildModel(arch, { inputShape: [min - 1, min, 1], numClasses: 10 }))).toMatch(
        /^input_too_small/,
      );
    }
  });

  it('refuses a sigmoid head for more than two classes and fewer than two classes', () => {
    expect(codeOf(() => buildModel('resnet20', { inputShape: [32, 32, 3], numClasses: 3, head: 'sigmoid' }))).toMatch(
      /^bad_options: .*numClasses = 3/,
    );
    expect(codeOf(() => countParams('resnet20', { inputShape: [32, 32, 3], numClasses: 1 }))).toMatch(/^bad_options/);
  });
});
