// Where the bytes of an int8 `.tflite` go, and what the same folded graph weighs in float32, so that the
// "N× smaller" figure says against what. The float32 reference is the folded graph's constants at 4 bytes
// each (the weights a float `.tflite` of the same graph would hold); the TF.js run folder (model.json +
// weights.bin, BatchNorm unfolded) is reported beside it.
import type { GraphIR } from '@resnet-edge/shared/tflite/ir';

export interface TfliteSizeReport {
  /** The whole `.tflite` file. */
  fileBytes: number;
  /** int8 weights: one byte per parameter. */
  int8WeightBytes: number;
  /** int32 biases: as large as float32 ones. */
  int32BiasBytes: number;
  /**
   * Quantization parameters: a float32 scale and an int64 zero point per tensor, or per output channel for
   * weights and biases (the schema wants as many zero points as scales, even when all are 0).
   */
  quantParamBytes: number;
  /** Everything else: tensor shapes and names, operators, buffer tables, alignment. */
  structureBytes: number;
  /** The same constants in float32. */
  float32WeightBytes: number;
}

export function sizeReport(graph: GraphIR, fileBytes: number): TfliteSizeReport {
  let int8WeightBytes = 0,
    int32BiasBytes = 0,
    quantParamBytes = 0,
    float32WeightBytes = 0;
  for (const t of graph.tensors) {
    if (t.quant) quantParamBytes += 4 * t.quant.scale.length + 8 * t.quant.zeroPoint.length;
    if (!t.data) continue;
    float32WeightBytes += 4 * t.data.length;
    if (t.type === 'int8') int8WeightBytes += t.data.byteLength;
    else if (t.type === 'int32') int32BiasBytes += t.data.byteLength;
  }
  const structureBytes = fileBytes - int8WeightBytes - int32BiasBytes - quantParamBytes;
  return { fileBytes, int8WeightBytes, int32BiasBytes, quantParamBytes, structureBytes, float32WeightBytes };
}
