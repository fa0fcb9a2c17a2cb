// The in-memory form of a TFLite model: what the quantizer builds, what the writer serialises to a
// `.tflite` flatbuffer, what the reader parses back, and what the interpreter prepares and runs.
// Names and semantics follow TFLite's schema (tensorflow/lite/schema/schema.fbs) so the mapping is 1:1.

export type TensorType = 'float32' | 'int8' | 'int32';

export interface QuantParams {
  /** One scale per tensor, or one per channel along `quantizedDimension` (per-channel conv/FC weights). */
  scale: number[];
  zeroPoint: number[];
  quantizedDimension?: number;
}

export interface TensorIR {
  name: string;
  shape: number[];
  type: TensorType;
  /** Constant tensors (weights, biases) carry data; activations do not. */
  data?: Float32Array | Int8Array | Int32Array;
  quant?: QuantParams;
}

export type Padding = 'SAME' | 'VALID';
export type FusedActivation = 'NONE' | 'RELU' | 'RELU6';

export interface Conv2DOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  fusedActivation: FusedActivation;
}
export interface Pool2DOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  fusedActivation: FusedActivation;
}
export interface FullyConnectedOptions {
  fusedActivation: FusedActivation;
  keepNumDims: boolean;
}
export interface AddOptions {
  fusedActivation: FusedActivation;
}
export interface ConcatenationOptions {
  axis: number;
  fusedActivation: FusedActivation;
}
export interface MeanOptions {
  keepDims: boolean;
}
export interface ReshapeOptions {
  newShape: number[];
}
export interface SoftmaxOptions {
  beta: number;
}

export type OpIR =
  | { op: 'QUANTIZE'; inputs: [number]; outputs: [number] }
  | { op: 'DEQUANTIZE'; inputs: [number]; outputs: [number] }
  /** inputs: [input, filter OHWI, bias] */
  | { op: 'CONV_2D'; inputs: [number, number, number]; outputs: [number]; options: Conv2DOptions }
  | { op: 'MAX_POOL_2D'; inputs: [number]; outputs: [number]; options: Pool2DOptions }
  | { op: 'AVERAGE_POOL_2D'; inputs: [number]; outputs: [number]; options: Pool2DOptions }
  /** inputs: [input, axes (int32 constant)] — global average pooling is MEAN over axes [1, 2]. */
  | { op: 'MEAN'; inputs: [number, number]; outputs: [number]; options: MeanOptions }
  | { op: 'ADD'; inputs: [number, number]; outputs: [number]; options: AddOptions }
  /** inputs: [input, weights (out, in), bias] */
  | { op: 'FULLY_CONNECTED'; inputs: [number, number, number]; outputs: [number]; options: FullyConnectedOptions }
  | { op: 'CONCATENATION'; inputs: number[]; outputs: [number]; options: ConcatenationOptions }
  /** inputs: [input, shape (int32 constant)] */
  | { op: 'RESHAPE'; inputs: [number, number]; outputs: [number]; options: ReshapeOptions }
  | { op: 'SOFTMAX'; inputs: [number]; outputs: [number]; options: SoftmaxOptions };

export type OpName = OpIR['op'];

export interface GraphIR {
  tensors: TensorIR[];
  ops: OpIR[];
  inputs: number[];
  outputs: number[];
  /** Free text stored in the model's `description` field. */
  description?: string;
}
