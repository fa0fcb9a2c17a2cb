// Runs an int8 GraphIR by simulation: every int8 tensor is held as its integer values (in float32 tensors),
// each op dequantizes its inputs, computes in float with TF.js and re-quantizes with round-and-clamp. The
// integer interpreter (shared/src/tflite) computes the same thing with fixed-point requantization, so the
// two agree to ±1 per element. This is the quantizer's own check, independent of any runtime, and it runs
// batched.
import * as tf from '@tensorflow/tfjs-core';
import type { GraphIR, OpIR, TensorIR } from '@resnet-edge/shared/tflite/ir';

const pad = (p: 'SAME' | 'VALID') => (p === 'SAME' ? 'same' : 'valid');

function scalarParams(t: TensorIR): { scale: number; zeroPoint: number } {
  return { scale: t.quant!.scale[0]!, zeroPoint: t.quant!.zeroPoint[0]! };
}

function dequantize(q: tf.Tensor, t: TensorIR): tf.Tensor {
  const { scale, zeroPoint } = scalarParams(t);
  return tf.mul(tf.sub(q, zeroPoint), scale);
}

function quantize(x: tf.Tensor, t: TensorIR, relu = false): tf.Tensor {
  const { scale, zeroPoint } = scalarParams(t);
  const lo = relu ? Math.max(-128, zeroPoint) : -128;
  return tf.clipByValue(tf.add(tf.round(tf.div(x, scale)), zeroPoint), lo, 127);
}

/** A constant per-channel int8/int32 tensor as real values, scale applied along the outermost axis. */
function constReal(t: TensorIR, shape: number[]): tf.Tensor {
  const scales = t.quant!.scale;
  const data = t.data!;
  const per = data.length / scales.length;
  return tf.tensor(Float32Array.from(data, (v, i) => v * scales[Math.floor(i / per)]!), shape);
}

function runOp(op: OpIR, g: GraphIR, v: (i: number) => tf.Tensor): tf.Tensor {
  const T = (i: number) => g.tensors[i]!;
  const out = T(op.outputs[0]);
  switch (op.op) {
    case 'QUANTIZE':
      return quantize(v(op.inputs[0]), out);
    case 'DEQUANTIZE':
      return dequantize(v(op.inputs[0]), T(op.inputs[0]));
    case 'CONV_2D': {
      const [, filterIdx, biasIdx] = op.inputs;
      const [o, kh, kw, ci] = T(filterIdx).shape as [number, number, number, number];
      const filter = tf.transpose(constReal(T(filterIdx), [o, kh, kw, ci]), [1, 2, 3, 0]) as tf.Tensor4D;
      const y = tf.add(tf.conv2d(dequantize(v(op.inputs[0]), T(op.inputs[0])) as tf.Tensor4D, filter, [op.options.strideH, op.options.strideW], pad(op.options.padding)), constReal(T(biasIdx), [o]));
      return quantize(y, out, op.options.fusedActivation === 'RELU');
    }
    case 'FULLY_CONNECTED': {
      const [, wIdx, bIdx] = op.inputs;
      const [units, inUnits] = T(wIdx).shape as [number, number];
      const x = tf.reshape(dequantize(v(op.inputs[0]), T(op.inputs[0])), [-1, inUnits]);
      const y = tf.add(tf.matMul(x, constReal(T(wIdx), [units, inUnits]), false, true), constReal(T(bIdx), [units]));
      return quantize(y, out, op.options.fusedActivation === 'RELU');
    }
    case 'ADD': {
      const y = tf.add(dequantize(v(op.inputs[0]), T(op.inputs[0])), dequantize(v(op.inputs[1]), T(op.inputs[1])));
      return quantize(y, out, op.options.fusedActivation === 'RELU');
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const o = op.options;
      const x = dequantize(v(op.inputs[0]), T(op.inputs[0])) as tf.Tensor4D;
      const f = op.op === 'MAX_POOL_2D' ? tf.maxPool : tf.avgPool;
      return quantize(f(x, [o.filterH, o.filterW], [o.strideH, o.strideW], pad(o.padding)), out);
    }
    case 'MEAN':
      return quantize(tf.mean(dequantize(v(op.inputs[0]), T(op.inputs[0])), [1, 2], op.options.keepDims), out);
    case 'CONCATENATION':
      return quantize(tf.concat(op.inputs.map((i) => dequantize(v(i), T(i))), op.options.axis), out);
    case 'RESHAPE': {
      const x = v(op.inputs[0]);
      return quantize(dequantize(tf.reshape(x, [x.shape[0]!, ...op.options.newShape.slice(1)]), T(op.inputs[0])), out);
    }
    case 'SOFTMAX':
      throw new Error('SOFTMAX is applied by the runtime, not simulated');
  }
}

/**
 * Float outputs of the graph for a batch of float inputs (NHWC); the result belongs to the caller.
 * `visit` sees every int8 activation, dequantized, while it is alive (per-layer error analysis).
 */
export function simulateInt8(g: GraphIR, input: tf.Tensor4D, visit?: (tensor: TensorIR, real: tf.Tensor) => void): tf.Tensor {
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>([[g.inputs[0]!, input]]);
    for (const op of g.ops) {
      const out = runOp(op, g, (i) => values.get(i)!);
      values.set(op.outputs[0], out);
      const t = g.tensors[op.outputs[0]]!;
      if (visit && t.type === 'int8') visit(t, dequantize(out, t));
    }
    return values.get(g.outputs[0]!)!;
  });
}
