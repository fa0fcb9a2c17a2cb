// The subset of tensorflow/lite/schema/schema.fbs this project writes and reads: enum values and table
// field ids exactly as the schema declares them (a field's id is its declaration position in its table).
import type { FusedActivation, OpName, Padding, TensorType } from './ir.ts';

export const FILE_IDENTIFIER = 'TFL3';
export const SCHEMA_VERSION = 3;

/** enum BuiltinOperator */
export const BUILTIN_CODE: Record<OpName, number> = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  RESHAPE: 22,
  SOFTMAX: 25,
  MEAN: 40,
  QUANTIZE: 114,
};

/** union BuiltinOptions: the member's 1-based position (0 = NONE). */
export const OPTIONS_TYPE = {
  NONE: 0,
  Conv2DOptions: 1,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  ConcatenationOptions: 10,
  AddOptions: 11,
  ReshapeOptions: 17,
  ReducerOptions: 27,
} as const;

/** enum TensorType */
export const TENSOR_TYPE: Record<TensorType, number> = { float32: 0, int32: 2, int8: 9 };
export const ELEMENT_SIZE: Record<TensorType, number> = { float32: 4, int32: 4, int8: 1 };

/** enum Padding */
export const PADDING: Record<Padding, number> = { SAME: 0, VALID: 1 };
/** enum ActivationFunctionType (RELU_N1_TO_1 = 2 and TANH = 4 are not used here). */
export const ACTIVATION: Record<FusedActivation, number> = { NONE: 0, RELU: 1, RELU6: 3 };

/** Table field ids. */
export const F = {
  Model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4 },
  Quantization: { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6 },
  Buffer: { data: 0 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  Operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4 },
  Conv2DOptions: { padding: 0, strideW: 1, strideH: 2, fusedActivation: 3, dilationW: 4, dilationH: 5 },
  Pool2DOptions: { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, fusedActivation: 5 },
  FullyConnectedOptions: { fusedActivation: 0, weightsFormat: 1, keepNumDims: 2 },
  SoftmaxOptions: { beta: 0 },
  ConcatenationOptions: { axis: 0, fusedActivation: 1 },
  AddOptions: { fusedActivation: 0 },
  ReshapeOptions: { newShape: 0 },
  ReducerOptions: { keepDims: 0 },
} as const;

export function invert<K extends string>(m: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(m).map(([k, v]) => [v as number, k as K]));
}
