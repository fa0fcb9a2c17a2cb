// Builds small int8 GraphIR models for the TFLite tests: seeded random int8 weights with per-channel
// scales, int32 biases at scale input × weight, activation scales sized so values use the int8 range
// without saturating everywhere. Graph inputs are float32 followed by QUANTIZE, like the quantizer's.
import type { FusedActivation, GraphIR, OpIR, Padding, TensorIR } from '@resnet-edge/shared/tflite/ir';

/** The trainer's seeded PRNG, so every run builds the same models. */
import { mulberry32 as rng } from '../../train/src/data/split.ts';
export { rng };

export class GraphBuilder {
  readonly tensors: TensorIR[] = [];
  readonly ops: OpIR[] = [];
  private readonly random: () => number;
  inputIndex = -1;

  constructor(seed: number) {
    this.random = rng(seed);
  }

  shape(i: number): number[] {
    return this.tensors[i]!.shape;
  }
  scale(i: number): number {
    return this.tensors[i]!.quant!.scale[0]!;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  uniform(lo: number, hi: number): number {
    return lo + this.random() * (hi - lo);
  }

  private add(t: TensorIR): number {
    return this.tensors.push(t) - 1;
  }
  activation(name: string, shape: number[], scale: number, zeroPoint: number): number {
    return this.add({ name, shape, type: 'int8', quant: { scale: [scale], zeroPoint: [zeroPoint] } });
  }
  /** An output zero point that fits the activation: −128 after ReLU, anywhere near the middle otherwise. */
  zeroPoint(fused: FusedActivation): number {
    return fused === 'NONE' ? this.int(-20, 20) : -128;
  }

  /** float32 graph input → QUANTIZE → int8. */
  input(shape: number[], scale = 2 / 255, zeroPoint = -1): number {
    const x = this.add({ name: 'input', shape, type: 'float32' });
    this.inputIndex = x;
    const q = this.activation('input_q', shape, scale, zeroPoint);
    this.ops.push({ op: 'QUANTIZE', inputs: [x], outputs: [q] });
    return q;
  }

  /** A float input whose values quantize exactly (no ties), so both runtimes start from the same int8. */
  inputValues(): Float32Array {
    const t = this.tensors[this.inputIndex + 1]!;
    const n = t.shape.reduce((a, d) => a * d, 1);
    const s = t.quant!.scale[0]!,
      zp = t.quant!.zeroPoint[0]!;
    return Float32Array.from({ length: n }, () => (this.int(-128, 127) - zp) * s);
  }

  private weights(name: string, shape: number[], channels: number): { index: number; scales: number[] } {
    const n = shape.reduce((a, d) => a * d, 1);
    const scales = Array.from({ length: channels }, () => this.uniform(0.002, 0.02));
    const data = Int8Array.from({ length: n }, () => this.int(-127, 127));
    const quant =
      channels > 1
        ? { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 }
        : { scale: scales, zeroPoint: [0] };
    return { index: this.add({ name, shape, type: 'int8', data, quant }), scales };
  }

  private bias(name: string, inScale: number, wScales: number[], count: number): number {
    const scales = Array.from({ length: count }, (_, c) => inScale * wScales[wScales.length === 1 ? 0 : c]!);
    const data = Int32Array.from(scales, () => this.int(-4000, 4000));
    const quant =
      wScales.length > 1
        ? { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 }
        : { scale: [scales[0]!], zeroPoint: [0] };
    return this.add({ name, shape: [count], type: 'int32', data, quant });
  }

  /** Output scale so that a fan-in of uniform int8 products lands mostly within int8. */
  private outScale(inScale: number, wScales: number[], fanIn: number): number {
    const mean = wScales.reduce((a, s) => a + s, 0) / wScales.length;
    return 90 * Math.sqrt(fanIn) * inScale * mean;
  }

  conv(
    x: number,
    o: {
      outC: number;
      k: number;
      stride?: number;
      padding?: Padding;
      fused?: FusedActivation;
      dilation?: number;
      quant?: { scale: number; zeroPoint: number };
    },
  ): number {
    const [, h, w, c] = this.shape(x) as [number, number, number, number];
    const stride = o.stride ?? 1,
      padding = o.padding ?? 'SAME',
      fused = o.fused ?? 'NONE',
      dilation = o.dilation ?? 1;
    const eff = (o.k - 1) * dilation + 1;
    const out = (n: number) => (padding === 'SAME' ? Math.ceil(n / stride) : Math.floor((n - eff + stride) / stride));
    const wts = this.weights(`conv${this.ops.length}/filter`, [o.outC, o.k, o.k, c], o.outC);
    const b = this.bias(`conv${this.ops.length}/bias`, this.scale(x), wts.scales, o.outC);
    const y = this.activation(
      `conv${this.ops.length}`,
      [1, out(h), out(w), o.outC],
      o.quant?.scale ?? this.outScale(this.scale(x), wts.scales, o.k * o.k * c),
      o.quant?.zeroPoint ?? this.zeroPoint(fused),
    );
    this.ops.push({
      op: 'CONV_2D',
      inputs: [x, wts.index, b],
      outputs: [y],
      options: {
        padding,
        strideH: stride,
        strideW: stride,
        dilationH: dilation,
        dilationW: dilation,
        fusedActivation: fused,
      },
    });
    return y;
  }

  fullyConnected(x: number, units: number, perChannel: boolean, fused: FusedActivation = 'NONE'): number {
    const depth = this.shape(x).reduce((a, d) => a * d, 1);
    const wts = this.weights(`fc${this.ops.length}/weights`, [units, depth], perChannel ? units : 1);
    const b = this.bias(`fc${this.ops.length}/bias`, this.scale(x), wts.scales, units);
    const y = this.activation(
      `fc${this.ops.length}`,
      [1, units],
      this.outScale(this.scale(x), wts.scales, depth),
      this.zeroPoint(fused),
    );
    this.ops.push({
      op: 'FULLY_CONNECTED',
      inputs: [x, wts.index, b],
      outputs: [y],
      options: { fusedActivation: fused, keepNumDims: false },
    });
    return y;
  }

  pool(op: 'MAX_POOL_2D' | 'AVERAGE_POOL_2D', x: number, filter: number, stride: number, padding: Padding): number {
    const [, h, w, c] = this.shape(x) as [number, number, number, number];
    const out = (n: number) =>
      padding === 'SAME' ? Math.ceil(n / stride) : Math.floor((n - filter + stride) / stride);
    const t = this.tensors[x]!.quant!;
    const y = this.activation(`pool${this.ops.length}`, [1, out(h), out(w), c], t.scale[0]!, t.zeroPoint[0]!);
    this.ops.push({
      op,
      inputs: [x],
      outputs: [y],
      options: { padding, strideH: stride, strideW: stride, filterH: filter, filterW: filter, fusedActivation: 'NONE' },
    });
    return y;
  }

  addOp(a: number, b: number, fused: FusedActivation = 'NONE'): number {
    const scale = (this.scale(a) + this.scale(b)) * this.uniform(0.7, 1.1);
    const y = this.activation(`add${this.ops.length}`, this.shape(a), scale, this.zeroPoint(fused));
    this.ops.push({ op: 'ADD', inputs: [a, b], outputs: [y], options: { fusedActivation: fused } });
    return y;
  }

  mean(x: number): number {
    const axes = this.add({
      name: `mean${this.ops.length}/axes`,
      shape: [2],
      type: 'int32',
      data: Int32Array.from([1, 2]),
    });
    const c = this.shape(x)[3]!;
    const y = this.activation(
      `mean${this.ops.length}`,
      [1, c],
      this.scale(x) * this.uniform(0.3, 0.8),
      this.int(-10, 10),
    );
    this.ops.push({ op: 'MEAN', inputs: [x, axes], outputs: [y], options: { keepDims: false } });
    return y;
  }

  /** Concatenation along channels; `outScale` defaults to the first input's (TFLite's int8 kernel needs them equal). */
  concat(inputs: number[], quant?: { scale: number; zeroPoint: number }): number {
    const first = this.tensors[inputs[0]!]!;
    const shape = [...first.shape];
    shape[3] = inputs.reduce((a, i) => a + this.shape(i)[3]!, 0);
    const y = this.activation(
      `concat${this.ops.length}`,
      shape,
      quant?.scale ?? first.quant!.scale[0]!,
      quant?.zeroPoint ?? first.quant!.zeroPoint[0]!,
    );
    this.ops.push({ op: 'CONCATENATION', inputs, outputs: [y], options: { axis: 3, fusedActivation: 'NONE' } });
    return y;
  }

  reshape(x: number, newShape: number[]): number {
    const shape = this.add({
      name: `reshape${this.ops.length}/shape`,
      shape: [newShape.length],
      type: 'int32',
      data: Int32Array.from(newShape),
    });
    const q = this.tensors[x]!.quant!;
    const y = this.activation(`reshape${this.ops.length}`, newShape, q.scale[0]!, q.zeroPoint[0]!);
    this.ops.push({ op: 'RESHAPE', inputs: [x, shape], outputs: [y], options: { newShape } });
    return y;
  }

  dequantize(x: number): number {
    const y = this.add({ name: 'output', shape: this.shape(x), type: 'float32' });
    this.ops.push({ op: 'DEQUANTIZE', inputs: [x], outputs: [y] });
    return y;
  }

  softmax(x: number): number {
    const y = this.add({ name: 'probabilities', shape: this.shape(x), type: 'float32' });
    this.ops.push({ op: 'SOFTMAX', inputs: [x], outputs: [y], options: { beta: 1 } });
    return y;
  }

  build(output: number, description?: string): GraphIR {
    return {
      tensors: this.tensors,
      ops: this.ops,
      inputs: [this.inputIndex],
      outputs: [output],
      ...(description ? { description } : {}),
    };
  }
}

/** ResNet-18 at 224×224×3 with 1000 classes (basic blocks, projection shortcuts), random int8 weights. */
export function resnet18Graph(seed = 18): GraphIR {
  const g = new GraphBuilder(seed);
  let x = g.pool(
    'MAX_POOL_2D',
    g.conv(g.input([1, 224, 224, 3]), { outC: 64, k: 7, stride: 2, fused: 'RELU' }),
    3,
    2,
    'SAME',
  );
  for (const [stage, channels] of [64, 128, 256, 512].entries()) {
    for (let block = 0; block < 2; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const y = g.conv(g.conv(x, { outC: channels, k: 3, stride, fused: 'RELU' }), { outC: channels, k: 3 });
      x = g.addOp(y, stride === 2 ? g.conv(x, { outC: channels, k: 1, stride: 2 }) : x, 'RELU');
    }
  }
  return g.build(g.dequantize(g.fullyConnected(g.mean(x), 1000, false)));
}
