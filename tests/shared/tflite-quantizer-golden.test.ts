// The real contract end to end: models from the project's own quantizer (train/src/quantize) — ResNet-20
// and GoogLeNet with random BatchNorm statistics, calibrated on random images — written by our writer and
// run by LiteRT.js (XNNPACK int8 kernels) and by our interpreter (TFLite reference integer kernels).
// 1. Op by op, each fed the same int8 input, every output agrees to ±1.
// 2. Whole model: the ±1 steps compound with depth (the models' initial weights are not seeded, so the
//    exact figures vary from run to run; observed: mean 0.4–1.2 steps, max 1–10 steps of 255). The bounds
//    below leave room for that drift yet catch a real kernel error, which shifts logits by tens of steps.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { GraphIR, OpIR, TensorIR } from '@resnet-edge/shared/tflite/ir';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { buildModel } from '../../train/src/models/index.ts';
import { quantizeModel } from '../../train/src/quantize/quantize-model.ts';
import { randomizeBatchNorm } from '../train/helpers/random-bn.ts';
import { runLiteRt } from '../helpers/litert.ts';
import { rng } from './tflite-fixtures.ts';
import { withSeededMathRandom } from '../../train/src/training/rng.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function quantized(arch: string, inputShape: [number, number, number]): GraphIR {
  // Seeded (TF.js initialisers draw from Math.random): the same model, and the same margins, on every run.
  const model = withSeededMathRandom(11, () => buildModel(arch, { inputShape, numClasses: 10 }));
  randomizeBatchNorm(model);
  const images = tf.randomUniform([4, ...inputShape], 0, 1, 'float32', 3) as tf.Tensor4D;
  const { graph } = quantizeModel(model, images, { calibration: { method: 'minmax' } });
  images.dispose();
  model.dispose();
  return graph;
}

const toInt8 = (t: TensorIR, y: ArrayLike<number>) =>
  Array.from(y, (v) => Math.round(v / Math.fround(t.quant!.scale[0]!)) + t.quant!.zeroPoint[0]!);

/** One op of `graph` alone: float input → QUANTIZE (to the op's input quantization) → op → DEQUANTIZE. */
function isolate(graph: GraphIR, op: OpIR): GraphIR {
  const src = graph.tensors[op.inputs[0]!]!;
  const dst = graph.tensors[op.outputs[0]]!;
  const tensors: TensorIR[] = [
    { name: 'in', shape: src.shape, type: 'float32' },
    src,
    dst,
    { name: 'out', shape: dst.shape, type: 'float32' },
  ];
  const remap = new Map([
    [op.inputs[0]!, 1],
    [op.outputs[0], 2],
  ]);
  for (const i of op.inputs.slice(1)) remap.set(i, tensors.push(graph.tensors[i]!) - 1);
  const inner = { ...op, inputs: op.inputs.map((i) => remap.get(i)!), outputs: [2] } as OpIR;
  return {
    tensors,
    ops: [{ op: 'QUANTIZE', inputs: [0], outputs: [1] }, inner, { op: 'DEQUANTIZE', inputs: [2], outputs: [3] }],
    inputs: [0],
    outputs: [3],
  };
}

describe.each([
  ['resnet20', [28, 28, 1]],
  ['googlenet', [32, 32, 3]],
] as const)('%s from the quantizer', (arch, inputShape) => {
  const graph = quantized(arch, [...inputShape]);
  const random = rng(11);
  const size = (inputShape as readonly number[]).reduce((a, d) => a * d, 1);
  const image = () => Float32Array.from({ length: size }, () => random());

  test('every single-input op, fed identical int8 input, agrees with LiteRT.js to ±1', async () => {
    // Our interpreter runs the whole graph once; each op's recorded input is then replayed in both runtimes.
    const fullInput = image();
    let exact = 0,
      total = 0,
      maxDiff = 0;
    for (let k = 1; k < graph.ops.length - 1; k++) {
      const op = graph.ops[k]!;
      if (
        op.inputs.length > 1 &&
        op.op !== 'CONV_2D' &&
        op.op !== 'FULLY_CONNECTED' &&
        op.op !== 'MEAN' &&
        op.op !== 'RESHAPE'
      )
        continue;
      const src = graph.tensors[op.inputs[0]!]!;
      const prefix: GraphIR = {
        ...graph,
        tensors: [...graph.tensors, { name: 'tap', shape: src.shape, type: 'float32' }],
        ops: [...graph.ops.slice(0, k), { op: 'DEQUANTIZE', inputs: [op.inputs[0]!], outputs: [graph.tensors.length] }],
        outputs: [graph.tensors.length],
      };
      const opInput = Interpreter.create(prefix).run(fullInput).slice();
      const single = writeTflite(isolate(graph, op));
      const dst = graph.tensors[op.outputs[0]]!;
      const mine = toInt8(dst, Interpreter.create(single).run(opInput));
      expect(toInt8(dst, Interpreter.create(single, undefined, { kernels: 'reference' }).run(opInput))).toEqual(mine);
      const reference = toInt8(dst, await runLiteRt(single, opInput, src.shape));
      mine.forEach((v, i) => {
        const d = Math.abs(v - reference[i]!);
        maxDiff = Math.max(maxDiff, d);
        if (d === 0) exact++;
        total++;
      });
    }
    console.log(
      `${arch}, op by op: ${exact}/${total} int8 outputs identical to LiteRT.js (${((100 * exact) / total).toFixed(2)}%), max |diff| ${maxDiff}`,
    );
    expect(maxDiff).toBeLessThanOrEqual(1);
  });

  test('whole model: int8 logits close to LiteRT.js', async () => {
    const bytes = writeTflite(graph);
    const ours = Interpreter.create(bytes);
    const referencePath = Interpreter.create(bytes, undefined, { kernels: 'reference' });
    const logits = graph.tensors[graph.ops.at(-1)!.inputs[0]!]!;
    let exact = 0,
      total = 0,
      maxDiff = 0,
      sumDiff = 0;
    for (let run = 0; run < 3; run++) {
      const input = image();
      const mine = toInt8(logits, ours.run(input));
      expect(toInt8(logits, referencePath.run(input))).toEqual(mine);
      const reference = toInt8(logits, await runLiteRt(bytes, input, ours.inputShape));
      mine.forEach((v, i) => {
        const d = Math.abs(v - reference[i]!);
        maxDiff = Math.max(maxDiff, d);
        sumDiff += d;
        if (d === 0) exact++;
        total++;
      });
    }
    console.log(
      `${arch}, whole model: ${exact}/${total} int8 logits identical to LiteRT.js, mean |diff| ${(sumDiff / total).toFixed(2)}, max |diff| ${maxDiff}`,
    );
    expect(sumDiff / total).toBeLessThanOrEqual(3);
    expect(maxDiff).toBeLessThanOrEqual(16);
  });
});
