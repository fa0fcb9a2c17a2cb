// A real int8 .tflite small enough to build in a test: QUANTIZE → CONV_2D(3×3, 4 filters, ReLU) → MEAN over
// H and W → FULLY_CONNECTED(10) → DEQUANTIZE, for 28×28×1 inputs normalised as FASHION_TEST_SPEC does. Weights come
// from a seeded generator, so two seeds give two models that answer differently. Serialised by our own writer.
import type { GraphIR, QuantParams, TensorIR } from '@resnet-edge/shared/tflite/ir';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';

function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32 → [-1, 1)
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 31 - 1;
  };
}

const quant = (scale: number[], zeroPoint: number[], quantizedDimension?: number): QuantParams =>
  quantizedDimension === undefined ? { scale, zeroPoint } : { scale, zeroPoint, quantizedDimension };

/** Symmetric int8 weights with one scale per output channel (rows of `values`). */
function quantizeRows(values: number[][]): { data: Int8Array; scales: number[] } {
  const scales = values.map((row) => Math.max(...row.map(Math.abs)) / 127 || 1);
  const data = Int8Array.from(values.flatMap((row, r) => row.map((v) => Math.round(v / scales[r]!))));
  return { data, scales };
}

export function tinyModelGraph(seed: number): GraphIR {
  const random = generator(seed);
  const inMin = (0 - 0.286) / 0.353;
  const inMax = (1 - 0.286) / 0.353;
  const inScale = (inMax - inMin) / 255;
  const inZero = Math.round(-128 - inMin / inScale);
  const convScale = 6 / 255;
  const logitScale = 8 / 255;

  const conv = quantizeRows(Array.from({ length: 4 }, () => Array.from({ length: 9 }, random)));
  const convBias = Int32Array.from(conv.scales, (s) => Math.round((random() * 0.5) / (inScale * s)));
  const fcRows = Array.from({ length: 10 }, () => Array.from({ length: 4 }, random));
  const fcScale = Math.max(...fcRows.flat().map(Math.abs)) / 127;
  const fcWeights = Int8Array.from(fcRows.flat().map((v) => Math.round(v / fcScale)));
  const fcBias = Int32Array.from({ length: 10 }, () => Math.round((random() * 0.5) / (convScale * fcScale)));

  const tensors: TensorIR[] = [
    { name: 'input', shape: [1, 28, 28, 1], type: 'float32' },
    { name: 'input_int8', shape: [1, 28, 28, 1], type: 'int8', quant: quant([inScale], [inZero]) },
    {
      name: 'conv/filter',
      shape: [4, 3, 3, 1],
      type: 'int8',
      data: conv.data,
      quant: quant(conv.scales, [0, 0, 0, 0], 0),
    },
    {
      name: 'conv/bias',
      shape: [4],
      type: 'int32',
      data: convBias,
      quant: quant(
        conv.scales.map((s) => s * inScale),
        [0, 0, 0, 0],
        0,
      ),
    },
    { name: 'conv/relu', shape: [1, 28, 28, 4], type: 'int8', quant: quant([convScale], [-128]) },
    { name: 'pool/axes', shape: [2], type: 'int32', data: Int32Array.from([1, 2]) },
    { name: 'pool', shape: [1, 4], type: 'int8', quant: quant([convScale], [-128]) },
    { name: 'fc/weights', shape: [10, 4], type: 'int8', data: fcWeights, quant: quant([fcScale], [0]) },
    { name: 'fc/bias', shape: [10], type: 'int32', data: fcBias, quant: quant([convScale * fcScale], [0]) },
    { name: 'logits_int8', shape: [1, 10], type: 'int8', quant: quant([logitScale], [0]) },
    { name: 'logits', shape: [1, 10], type: 'float32' },
  ];
  return {
    tensors,
    ops: [
      { op: 'QUANTIZE', inputs: [0], outputs: [1] },
      {
        op: 'CONV_2D',
        inputs: [1, 2, 3],
        outputs: [4],
        options: { padding: 'SAME', strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, fusedActivation: 'RELU' },
      },
      { op: 'MEAN', inputs: [4, 5], outputs: [6], options: { keepDims: false } },
      {
        op: 'FULLY_CONNECTED',
        inputs: [6, 7, 8],
        outputs: [9],
        options: { fusedActivation: 'NONE', keepNumDims: false },
      },
      { op: 'DEQUANTIZE', inputs: [9], outputs: [10] },
    ],
    inputs: [0],
    outputs: [10],
    description: `tests/edge tiny model, seed ${seed}`,
  };
}

export function tinyModel(seed: number): Uint8Array {
  return writeTflite(tinyModelGraph(seed));
}
