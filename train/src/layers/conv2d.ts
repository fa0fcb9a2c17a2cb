// The convolution layer the networks are built from: tfjs-layers' Conv2D, except that a training pass of a
// bias-free, linear convolution (every one before a BatchNorm) goes through tf.conv2d rather than
// tf.fused.conv2d. The fused op's gradient is a custom one that computes the input gradient and the filter
// gradient together, whether or not the input needs one; tf.conv2d's registered gradient is computed lazily,
// so the stem's input gradient — a full transposed 7×7 convolution back onto the image, 15 % of a ResNet-18
// step on wasm — is never computed. The forward arithmetic is the same convolution.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

interface ConvState {
  rank: number;
  kernel: tfl.LayerVariable;
  bias: tfl.LayerVariable | null;
  activation: { getClassName(): string } | null;
  strides: [number, number];
  padding: string;
  dataFormat: string;
  dilationRate: [number, number];
}

type LayerClass = new (args: object) => tfl.layers.Layer;

// The stock class, reached through the serialization registry (tfjs-layers does not export it by name).
const StockConv2D = tf.serialization.SerializationMap.getMap().classNameMap['Conv2D']?.[0] as unknown as
  LayerClass | undefined;
if (StockConv2D === undefined) throw new Error('tfjs-layers did not register Conv2D');

/** Serialises as the stock Conv2D (same class name, config and weights); inference is the stock code. */
class Conv2D extends StockConv2D {
  static className = 'Conv2D';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const state = this as unknown as ConvState;
    const plain =
      state.rank === 2 &&
      state.bias === null &&
      (state.activation === null || state.activation.getClassName() === 'linear') &&
      state.dataFormat === 'channelsLast';
    if (kwargs['training'] !== true || !plain) return super.call(inputs, kwargs);
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const pad = state.padding === 'same' ? 'same' : 'valid';
    return tf.tidy(() =>
      tf.conv2d(x, state.kernel.read() as tf.Tensor4D, state.strides, pad, 'NHWC', state.dilationRate),
    );
  }
}

// Models rebuilt from JSON (gradient workers' replicas, a resumed run) get this class too.
tf.serialization.SerializationMap.register(
  Conv2D as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);

export function isTrainingConv2D(layer: tfl.layers.Layer): boolean {
  return layer instanceof Conv2D;
}

export function conv2dLayer(args: Parameters<typeof tfl.layers.conv2d>[0]): tfl.layers.Layer {
  return new Conv2D(args);
}
