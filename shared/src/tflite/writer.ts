// GraphIR → `.tflite` flatbuffer. One subgraph; buffer 0 is the conventional empty buffer that every
// activation tensor points at; each constant tensor gets its own buffer, 16-byte aligned so runtimes can
// map weights in place.
import { Builder } from 'flatbuffers';
import type { GraphIR, OpIR, QuantParams, TensorIR } from './ir.ts';
import {
  ACTIVATION,
  BUILTIN_CODE,
  ELEMENT_SIZE,
  F,
  FILE_IDENTIFIER,
  OPTIONS_TYPE,
  PADDING,
  SCHEMA_VERSION,
  TENSOR_TYPE,
} from './schema.ts';
import { TfliteError } from './errors.ts';

type Offset = number;

export function writeTflite(graph: GraphIR): Uint8Array {
  const b = new Builder(1024);
  // Write every field, defaults included: readers then never depend on schema defaults we might misstate.
  b.forceDefaults(true);

  const opNames = [...new Set(graph.ops.map((o) => o.op))];
  const operatorCodes = opNames.map((name) => writeOperatorCode(b, BUILTIN_CODE[name]));

  const buffers: Offset[] = [writeBuffer(b, new Uint8Array(0))];
  const tensors = graph.tensors.map((t, i) => {
    let buffer = 0;
    if (t.data) {
      checkDataSize(t, i);
      buffer = buffers.push(writeBuffer(b, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))) - 1;
    }
    return writeTensor(b, t, buffer);
  });
  const operators = graph.ops.map((op) => writeOperator(b, op, opNames.indexOf(op.op)));

  const subgraphName = b.createString('main');
  const sgTensors = vectorOfOffsets(b, tensors);
  const sgInputs = int32Vector(b, graph.inputs);
  const sgOutputs = int32Vector(b, graph.outputs);
  const sgOperators = vectorOfOffsets(b, operators);
  b.startObject(5);
  b.addFieldOffset(F.SubGraph.tensors, sgTensors, 0);
  b.addFieldOffset(F.SubGraph.inputs, sgInputs, 0);
  b.addFieldOffset(F.SubGraph.outputs, sgOutputs, 0);
  b.addFieldOffset(F.SubGraph.operators, sgOperators, 0);
  b.addFieldOffset(F.SubGraph.name, subgraphName, 0);
  const subgraph = b.endObject();

  const codesVec = vectorOfOffsets(b, operatorCodes);
  const subgraphsVec = vectorOfOffsets(b, [subgraph]);
  const description = b.createString(graph.description ?? 'resnet-edge');
  const buffersVec = vectorOfOffsets(b, buffers);
  b.startObject(5);
  b.addFieldInt32(F.Model.version, SCHEMA_VERSION, 0);
  b.addFieldOffset(F.Model.operatorCodes, codesVec, 0);
  b.addFieldOffset(F.Model.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(F.Model.description, description, 0);
  b.addFieldOffset(F.Model.buffers, buffersVec, 0);
  b.finish(b.endObject(), FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

function checkDataSize(t: TensorIR, index: number): void {
  const expected = t.shape.reduce((a, d) => a * d, 1) * ELEMENT_SIZE[t.type];
  const elementMatches =
    (t.type === 'int8' && t.data instanceof Int8Array) ||
    (t.type === 'int32' && t.data instanceof Int32Array) ||
    (t.type === 'float32' && t.data instanceof Float32Array);
  if (!elementMatches || t.data!.byteLength !== expected) {
    throw new TfliteError(
      'invalid_model',
      `tensor ${index} '${t.name}': data does not match type ${t.type} and shape [${t.shape.join(', ')}]`,
    );
  }
}

function writeOperatorCode(b: Builder, code: number): Offset {
  b.startObject(4);
  // Codes above 127 do not fit the deprecated int8 field; 127 is PLACEHOLDER_FOR_GREATER_OP_CODES.
  b.addFieldInt8(F.OperatorCode.deprecatedBuiltinCode, Math.min(code, 127), 0);
  b.addFieldInt32(F.OperatorCode.version, 1, 1);
  b.addFieldInt32(F.OperatorCode.builtinCode, code, 0);
  return b.endObject();
}

function writeBuffer(b: Builder, bytes: Uint8Array): Offset {
  let data = 0;
  if (bytes.byteLength > 0) {
    b.startVector(1, bytes.byteLength, 16);
    for (let i = bytes.byteLength - 1; i >= 0; i--) b.addInt8(bytes[i]!);
    data = b.endVector();
  }
  b.startObject(1);
  if (data) b.addFieldOffset(F.Buffer.data, data, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TensorIR, buffer: number): Offset {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quant ? writeQuant(b, t.quant) : 0;
  b.startObject(5);
  b.addFieldOffset(F.Tensor.shape, shape, 0);
  b.addFieldInt8(F.Tensor.type, TENSOR_TYPE[t.type], 0);
  b.addFieldInt32(F.Tensor.buffer, buffer, 0);
  b.addFieldOffset(F.Tensor.name, name, 0);
  if (quant) b.addFieldOffset(F.Tensor.quantization, quant, 0);
  return b.endObject();
}

function writeQuant(b: Builder, q: QuantParams): Offset {
  b.startVector(4, q.scale.length, 4);
  for (let i = q.scale.length - 1; i >= 0; i--) b.addFloat32(q.scale[i]!);
  const scale = b.endVector();
  b.startVector(8, q.zeroPoint.length, 8);
  for (let i = q.zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(q.zeroPoint[i]!));
  const zeroPoint = b.endVector();
  b.startObject(7);
  b.addFieldOffset(F.Quantization.scale, scale, 0);
  b.addFieldOffset(F.Quantization.zeroPoint, zeroPoint, 0);
  b.addFieldInt32(F.Quantization.quantizedDimension, q.quantizedDimension ?? 0, 0);
  return b.endObject();
}

function writeOperator(b: Builder, op: OpIR, opcodeIndex: number): Offset {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const [optionsType, options] = writeOptions(b, op);
  b.startObject(5);
  b.addFieldInt32(F.Operator.opcodeIndex, opcodeIndex, 0);
  b.addFieldOffset(F.Operator.inputs, inputs, 0);
  b.addFieldOffset(F.Operator.outputs, outputs, 0);
  b.addFieldInt8(F.Operator.builtinOptionsType, optionsType, 0);
  if (options) b.addFieldOffset(F.Operator.builtinOptions, options, 0);
  return b.endObject();
}

function writeOptions(b: Builder, op: OpIR): [number, Offset] {
  switch (op.op) {
    case 'QUANTIZE':
    case 'DEQUANTIZE':
      return [OPTIONS_TYPE.NONE, 0];
    case 'CONV_2D': {
      const o = op.options;
      b.startObject(6);
      b.addFieldInt8(F.Conv2DOptions.padding, PADDING[o.padding], 0);
      b.addFieldInt32(F.Conv2DOptions.strideW, o.strideW, 0);
      b.addFieldInt32(F.Conv2DOptions.strideH, o.strideH, 0);
      b.addFieldInt8(F.Conv2DOptions.fusedActivation, ACTIVATION[o.fusedActivation], 0);
      b.addFieldInt32(F.Conv2DOptions.dilationW, o.dilationW, 1);
      b.addFieldInt32(F.Conv2DOptions.dilationH, o.dilationH, 1);
      return [OPTIONS_TYPE.Conv2DOptions, b.endObject()];
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      const o = op.options;
      b.startObject(6);
      b.addFieldInt8(F.Pool2DOptions.padding, PADDING[o.padding], 0);
      b.addFieldInt32(F.Pool2DOptions.strideW, o.strideW, 0);
      b.addFieldInt32(F.Pool2DOptions.strideH, o.strideH, 0);
      b.addFieldInt32(F.Pool2DOptions.filterW, o.filterW, 0);
      b.addFieldInt32(F.Pool2DOptions.filterH, o.filterH, 0);
      b.addFieldInt8(F.Pool2DOptions.fusedActivation, ACTIVATION[o.fusedActivation], 0);
      return [OPTIONS_TYPE.Pool2DOptions, b.endObject()];
    }
    case 'FULLY_CONNECTED':
      b.startObject(3);
      b.addFieldInt8(F.FullyConnectedOptions.fusedActivation, ACTIVATION[op.options.fusedActivation], 0);
      b.addFieldInt8(F.FullyConnectedOptions.weightsFormat, 0, 0);
      b.addFieldInt8(F.FullyConnectedOptions.keepNumDims, op.options.keepNumDims ? 1 : 0, 0);
      return [OPTIONS_TYPE.FullyConnectedOptions, b.endObject()];
    case 'SOFTMAX':
      b.startObject(1);
      b.addFieldFloat32(F.SoftmaxOptions.beta, op.options.beta, 0);
      return [OPTIONS_TYPE.SoftmaxOptions, b.endObject()];
    case 'CONCATENATION':
      b.startObject(2);
      b.addFieldInt32(F.ConcatenationOptions.axis, op.options.axis, 0);
      b.addFieldInt8(F.ConcatenationOptions.fusedActivation, ACTIVATION[op.options.fusedActivation], 0);
      return [OPTIONS_TYPE.ConcatenationOptions, b.endObject()];
    case 'ADD':
      b.startObject(1);
      b.addFieldInt8(F.AddOptions.fusedActivation, ACTIVATION[op.options.fusedActivation], 0);
      return [OPTIONS_TYPE.AddOptions, b.endObject()];
    case 'RESHAPE': {
      const shape = int32Vector(b, op.options.newShape);
      b.startObject(1);
      b.addFieldOffset(F.ReshapeOptions.newShape, shape, 0);
      return [OPTIONS_TYPE.ReshapeOptions, b.endObject()];
    }
    case 'MEAN':
      b.startObject(1);
      b.addFieldInt8(F.ReducerOptions.keepDims, op.options.keepDims ? 1 : 0, 0);
      return [OPTIONS_TYPE.ReducerOptions, b.endObject()];
  }
}

function int32Vector(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

function vectorOfOffsets(b: Builder, offsets: readonly Offset[]): Offset {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}
