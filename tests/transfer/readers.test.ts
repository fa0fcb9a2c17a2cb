// The weight readers on their own, from committed fixtures written by PyTorch (scripts/make-transfer-fixtures.py):
// torch.save's zip + the restricted unpickler, safetensors both ways, torchvision names, layouts, Keras folding.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { fromKeras } from '../../train/src/transfer/keras.ts';
import { readPth } from '../../train/src/transfer/pth.ts';
import { unpickle } from '../../train/src/transfer/pickle.ts';
import { readSafetensors, writeSafetensors } from '../../train/src/transfer/safetensors.ts';
import { transpose } from '../../train/src/transfer/tensors.ts';
import { fromTorchvision, torchvisionArch, torchvisionName } from '../../train/src/transfer/torchvision.ts';

const fixture = (f: string) => new Uint8Array(readFileSync(`tests/fixtures/transfer/${f}`));

describe('torch.save zip reader', () => {
  it('reads plain tensors, including a non-contiguous one and an int64 counter', () => {
    const dict = readPth(fixture('tiny.pth'));
    expect([...dict.keys()]).toEqual(['conv.weight', 'mat', 'bn.num_batches_tracked']);
    const conv = dict.get('conv.weight')!;
    expect(conv.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(conv.data).map((v) => Math.round(v * 10))).toEqual(Array.from({ length: 24 }, (_, i) => i));
    // mat = arange(6).reshape(2, 3).T: [[0, 3], [1, 4], [2, 5]]
    expect(dict.get('mat')).toEqual({ shape: [3, 2], data: Float32Array.from([0, 3, 1, 4, 2, 5]) });
    expect(Array.from(dict.get('bn.num_batches_tracked')!.data)).toEqual([7]);
  });

  it('refuses a pickle that would call os.system, without running it', () => {
    rmSync('/tmp/resnet-edge-pwned', { force: true });
    expect(() => readPth(fixture('evil.pth'))).toThrow(
      expect.objectContaining({ code: 'unsafe_pickle', message: expect.stringContaining('posix.system') }),
    );
    expect(existsSync('/tmp/resnet-edge-pwned')).toBe(false);
  });

  it('refuses a whole pickled nn.Module (classes, not a state dict)', () => {
    expect(() => readPth(fixture('module.pth'))).toThrow(
      expect.objectContaining({ code: 'unsafe_pickle', message: expect.stringContaining('torch.nn.modules') }),
    );
  });

  it('names a truncated zip, a zip without data.pkl and a missing storage as bad_weights_file', () => {
    const bytes = fixture('tiny.pth');
    expect(() => readPth(bytes.subarray(0, bytes.length - 200))).toThrow(
      expect.objectContaining({ code: 'bad_weights_file' }),
    );
    expect(() => readPth(zipSync({ 'a/other.txt': new Uint8Array(1) }))).toThrow(
      expect.objectContaining({ code: 'bad_weights_file', message: expect.stringContaining('data.pkl') }),
    );
    expect(() => readPth(new TextEncoder().encode('not a zip'))).toThrow(
      expect.objectContaining({ code: 'bad_weights_file' }),
    );
  });

  it('the unpickler refuses opcodes outside the state-dict subset (e.g. INST, protocol 0 GLOBAL of builtins.eval)', () => {
    expect(() => unpickle(new TextEncoder().encode('cbuiltins\neval\n(S"1"\ntR.'))).toThrow(
      expect.objectContaining({ code: 'unsafe_pickle' }),
    );
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x69]))).toThrow(
      expect.objectContaining({ code: 'unsafe_pickle', message: expect.stringContaining('0x69') }),
    );
  });
});

describe('safetensors', () => {
  it('round-trips tensors and metadata; refuses truncation and unknown dtypes', () => {
    const dict = new Map([
      ['a', { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }],
      ['b', { shape: [3], data: Float32Array.from([-1, 0.5, 9]) }],
    ]);
    const bytes = writeSafetensors(dict, { arch: 'x' });
    expect((8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.tensors).toEqual(dict);
    expect(back.metadata).toEqual({ arch: 'x' });
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(
      expect.objectContaining({ code: 'bad_weights_file', message: expect.stringContaining('truncated') }),
    );
    expect(() => readSafetensors(bytes.subarray(0, 5))).toThrow(expect.objectContaining({ code: 'bad_weights_file' }));
    const header = new TextEncoder().encode(JSON.stringify({ s: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }));
    const odd = new Uint8Array(8 + header.length + 1);
    new DataView(odd.buffer).setBigUint64(0, BigInt(header.length), true);
    odd.set(header, 8);
    expect(() => readSafetensors(odd)).toThrow(
      expect.objectContaining({ code: 'bad_weights_file', message: expect.stringContaining('U8') }),
    );
  });
});

describe('name and layout mapping', () => {
  it('maps torchvision keys to Keras-style names; unknown keys are refused', () => {
    expect(torchvisionName('conv1.weight')).toBe('conv1_conv/kernel');
    expect(torchvisionName('bn1.running_var')).toBe('conv1_bn/moving_variance');
    expect(torchvisionName('layer3.1.conv2.weight')).toBe('conv4_block2_2_conv/kernel');
    expect(torchvisionName('layer2.0.downsample.1.weight')).toBe('conv3_block1_0_bn/gamma');
    expect(torchvisionName('layer1.0.bn1.num_batches_tracked')).toBeNull();
    expect(torchvisionName('fc.bias')).toBe('predictions/bias');
    expect(() => torchvisionName('features.0.weight')).toThrow(
      expect.objectContaining({ code: 'weights_mismatch', message: expect.stringContaining('features.0.weight') }),
    );
  });

  it('OIHW → HWIO and [out, in] → [in, out]; the architecture is inferred from the blocks', () => {
    const oihw = { shape: [2, 1, 1, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const { weights } = fromTorchvision(
      new Map([
        ['conv1.weight', oihw],
        ['fc.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
      ]),
    );
    expect(weights.get('conv1_conv/kernel')).toEqual({
      shape: [1, 3, 1, 2],
      data: Float32Array.from([1, 4, 2, 5, 3, 6]),
    });
    expect(weights.get('predictions/kernel')).toEqual({ shape: [3, 2], data: Float32Array.from([1, 4, 2, 5, 3, 6]) });
    expect(transpose(transpose(oihw, [2, 3, 1, 0]), [3, 2, 0, 1])).toEqual(oihw);
    const keys = (blocks: number[], conv3: boolean) =>
      new Map(
        blocks.flatMap((n, s) =>
          Array.from({ length: n }, (_, b) => [`layer${s + 1}.${b}.conv${conv3 ? 3 : 2}.weight`, oihw] as const),
        ),
      );
    expect(torchvisionArch(keys([2, 2, 2, 2], false))).toBe('resnet18');
    expect(torchvisionArch(keys([3, 4, 6, 3], true))).toBe('resnet50');
    expect(torchvisionArch(keys([3, 4, 23, 3], true))).toBe('resnet101');
  });

  it('Keras: the conv bias folds into the BN mean, ε is matched, the stem takes RGB instead of BGR', () => {
    const k = new Float32Array(3 * 2).map((_, i) => i); // 1×1×3×2: input channel c at rows 2c..2c+1
    const out = fromKeras(
      new Map([
        ['conv1_conv/kernel', { shape: [1, 1, 3, 2], data: k }],
        ['conv1_conv/bias', { shape: [2], data: Float32Array.from([0.5, -1]) }],
        ['conv1_bn/moving_mean', { shape: [2], data: Float32Array.from([1, 1]) }],
        ['conv1_bn/moving_variance', { shape: [2], data: Float32Array.from([1e-6, 3]) }],
      ]),
    );
    expect(out.has('conv1_conv/bias')).toBe(false);
    expect(Array.from(out.get('conv1_bn/moving_mean')!.data)).toEqual([0.5, 2]);
    expect(out.get('conv1_bn/moving_variance')!.data[0]).toBeCloseTo(1.01e-6, 11); // ε' + v' = ε + v
    expect(Array.from(out.get('conv1_conv/kernel')!.data)).toEqual([4, 5, 2, 3, 0, 1]);
  });
});
