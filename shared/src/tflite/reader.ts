// `.tflite` flatbuffer → GraphIR, for the subset of the schema this project writes. Every offset is
// bounds-checked before it is followed, so a damaged or hostile file becomes a TfliteError with a code,
// never a crash or a half-read graph.
import { ByteBuffer } from 'flatbuffers';
import type { FusedActivation, GraphIR, OpIR, OpName, Padding, QuantParams, TensorIR, TensorType } from './ir.ts';
import {
  ACTIVATION,
  BUILTIN_CODE,
  ELEMENT_SIZE,
  F,
  FILE_IDENTIFIER,
  invert,
  OPTIONS_TYPE,
  PADDING,
  TENSOR_TYPE,
} from './schema.ts';
import { TfliteError } from './errors.ts';

const OP_BY_CODE = invert(BUILTIN_CODE);
const TYPE_BY_CODE = invert(TENSOR_TYPE);
const PADDING_BY_CODE = invert(PADDING);
const ACTIVATION_BY_CODE = invert(ACTIVATION);

function invalid(message: string): never {
  throw new TfliteError('invalid_model', message);
}

/** A flatbuffer table whose every read is checked against the buffer's size. */
class Table {
  constructor(
    private readonly bb: ByteBuffer,
    readonly pos: number,
  ) {
    need(bb, pos, 4);
    const vtable = pos - bb.readInt32(pos);
    need(bb, vtable, 4);
    this.vtable = vtable;
    this.vtableSize = bb.readUint16(vtable);
    need(bb, vtable, this.vtableSize);
  }
  private readonly vtable: number;
  private readonly vtableSize: number;

  /** Absolute position of field `id`, or 0 when absent. */
  private field(id: number, size: number): number {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableSize) return 0;
    const rel = this.bb.readUint16(this.vtable + slot);
    if (rel === 0) return 0;
    need(this.bb, this.pos + rel, size);
    return this.pos + rel;
  }
  int8(id: number, dflt: number): number {
    const at = this.field(id, 1);
    return at ? this.bb.readInt8(at) : dflt;
  }
  uint8(id: number, dflt: number): number {
    const at = this.field(id, 1);
    return at ? this.bb.readUint8(at) : dflt;
  }
  int32(id: number, dflt: number): number {
    const at = this.field(id, 4);
    return at ? this.bb.readInt32(at) : dflt;
  }
  float32(id: number, dflt: number): number {
    const at = this.field(id, 4);
    return at ? this.bb.readFloat32(at) : dflt;
  }
  table(id: number): Table | null {
    const at = this.field(id, 4);
    return at ? new Table(this.bb, at + this.bb.readUint32(at)) : null;
  }
  /** [start, length] of a vector of `elemSize`-byte elements; length 0 when absent. */
  vector(id: number, elemSize: number): [number, number] {
    const at = this.field(id, 4);
    if (!at) return [0, 0];
    const v = at + this.bb.readUint32(at);
    need(this.bb, v, 4);
    const len = this.bb.readUint32(v);
    need(this.bb, v + 4, len * elemSize);
    return [v + 4, len];
  }
  int32s(id: number): number[] {
    const [start, len] = this.vector(id, 4);
    return Array.from({ length: len }, (_, i) => this.bb.readInt32(start + 4 * i));
  }
  tables(id: number): Table[] {
    const [start, len] = this.vector(id, 4);
    return Array.from({ length: len }, (_, i) => {
      const at = start + 4 * i;
      return new Table(this.bb, at + this.bb.readUint32(at));
    });
  }
  bytes(id: number): Uint8Array {
    const [start, len] = this.vector(id, 1);
    return this.bb.bytes().subarray(start, start + len);
  }
  string(id: number): string | undefined {
    const [start, len] = this.vector(id, 1);
    if (!this.field(id, 4)) return undefined;
    return new TextDecoder().decode(this.bb.bytes().subarray(start, start + len));
  }
  float32s(id: number): number[] {
    const [start, len] = this.vector(id, 4);
    return Array.from({ length: len }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }
  int64s(id: number): number[] {
    const [start, len] = this.vector(id, 8);
    return Array.from({ length: len }, (_, i) => Number(this.bb.readInt64(start + 8 * i)));
  }
}

function need(bb: ByteBuffer, pos: number, size: number): void {
  if (!Number.isInteger(pos) || pos < 0 || size < 0 || pos + size > bb.capacity())
    invalid(`offset ${pos} (+${size}) is outside the ${bb.capacity()}-byte file`);
}

export function readTflite(bytes: Uint8Array): GraphIR {
  if (bytes.byteLength < 8)
    throw new TfliteError('truncated', `a .tflite file has at least 8 bytes, got ${bytes.byteLength}`);
  const bb = new ByteBuffer(bytes);
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== FILE_IDENTIFIER)
    throw new TfliteError(
      'bad_identifier',
      `file identifier is '${printable(identifier)}', expected '${FILE_IDENTIFIER}'`,
    );
  const root = bb.readUint32(0);
  if (root + 4 > bytes.byteLength)
    throw new TfliteError('truncated', `root table at ${root} lies beyond the ${bytes.byteLength}-byte file`);
  try {
    return readModel(bb, new Table(bb, root));
  } catch (e) {
    if (e instanceof TfliteError) throw e;
    throw new TfliteError('invalid_model', `malformed flatbuffer: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

function readModel(bb: ByteBuffer, model: Table): GraphIR {
  const opNames = model.tables(F.Model.operatorCodes).map(readOperatorCode);
  const buffers = model.tables(F.Model.buffers).map((t) => t.bytes(F.Buffer.data));
  const subgraphs = model.tables(F.Model.subgraphs);
  if (subgraphs.length !== 1) invalid(`expected exactly one subgraph, found ${subgraphs.length}`);
  const sg = subgraphs[0]!;
  const tensors = sg.tables(F.SubGraph.tensors).map((t, i) => readTensor(t, i, buffers));
  const checkIndex = (i: number, what: string) => {
    if (!Number.isInteger(i) || i < 0 || i >= tensors.length)
      invalid(`${what} refers to tensor ${i}, but there are ${tensors.length}`);
    return i;
  };
  const inputs = sg.int32s(F.SubGraph.inputs).map((i) => checkIndex(i, 'subgraph input'));
  const outputs = sg.int32s(F.SubGraph.outputs).map((i) => checkIndex(i, 'subgraph output'));
  const ops = sg.tables(F.SubGraph.operators).map((t, n) => {
    const index = t.int32(F.Operator.opcodeIndex, 0);
    const name = opNames[index];
    if (name === undefined)
      invalid(`operator ${n} uses opcode index ${index}, but there are ${opNames.length} operator codes`);
    const ins = t.int32s(F.Operator.inputs).map((i) => checkIndex(i, `operator ${n} (${name}) input`));
    const outs = t.int32s(F.Operator.outputs).map((i) => checkIndex(i, `operator ${n} (${name}) output`));
    return readOperator(name, ins, outs, t, n);
  });
  const description = model.string(F.Model.description);
  void bb;
  return { tensors, ops, inputs, outputs, ...(description !== undefined ? { description } : {}) };
}

function readOperatorCode(t: Table): OpName {
  const code = Math.max(t.int32(F.OperatorCode.builtinCode, 0), t.int8(F.OperatorCode.deprecatedBuiltinCode, 0));
  const name = OP_BY_CODE.get(code);
  if (!name) {
    const custom = t.string(F.OperatorCode.customCode);
    throw new TfliteError(
      'unsupported_op',
      custom
        ? `custom operator '${custom}' is not supported`
        : `builtin operator ${code} is not supported (supported: ${[...OP_BY_CODE.values()].join(', ')})`,
    );
  }
  return name;
}

function readTensor(t: Table, index: number, buffers: Uint8Array[]): TensorIR {
  const name = t.string(F.Tensor.name) ?? `tensor_${index}`;
  const typeCode = t.int8(F.Tensor.type, 0);
  const type: TensorType | undefined = TYPE_BY_CODE.get(typeCode);
  if (!type) invalid(`tensor ${index} '${name}' has type ${typeCode}; only float32, int32 and int8 are supported`);
  const shape = t.int32s(F.Tensor.shape);
  if (shape.some((d) => d < 0))
    invalid(`tensor ${index} '${name}' has a dynamic or negative shape [${shape.join(', ')}]`);
  const tensor: TensorIR = { name, shape, type };
  const bufferIndex = t.int32(F.Tensor.buffer, 0);
  const bytes = buffers[bufferIndex];
  if (bytes === undefined)
    invalid(`tensor ${index} '${name}' refers to buffer ${bufferIndex}, but there are ${buffers.length}`);
  if (bytes.byteLength > 0) {
    const expected = shape.reduce((a, d) => a * d, 1) * ELEMENT_SIZE[type];
    if (bytes.byteLength !== expected)
      invalid(
        `tensor ${index} '${name}': buffer has ${bytes.byteLength} bytes, shape [${shape.join(', ')}] of ${type} needs ${expected}`,
      );
    tensor.data = typedView(type, bytes);
  }
  const q = t.table(F.Tensor.quantization);
  if (q) {
    const quant = readQuant(q);
    if (quant) tensor.quant = quant;
  }
  return tensor;
}

/**
 * Constants are read in place: a view into the file's own bytes, so weights stay int8 and are held once (for a
 * ResNet-18, 11 MiB not copied). Int32/Float32 views need 4-byte alignment, which our writer gives (16) but
 * another writer might not: those are copied. The caller must not modify the bytes after loading them.
 */
function typedView(type: TensorType, bytes: Uint8Array): Float32Array | Int8Array | Int32Array {
  if (type === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset, byteLength } = aligned;
  return type === 'int32'
    ? new Int32Array(buffer, byteOffset, byteLength / 4)
    : new Float32Array(buffer, byteOffset, byteLength / 4);
}

function readQuant(q: Table): QuantParams | undefined {
  const scale = q.float32s(F.Quantization.scale);
  if (scale.length === 0) return undefined;
  const zeroPoint = q.int64s(F.Quantization.zeroPoint);
  if (zeroPoint.length !== scale.length)
    invalid(`quantization has ${scale.length} scales but ${zeroPoint.length} zero points`);
  const dim = q.int32(F.Quantization.quantizedDimension, 0);
  return scale.length > 1 || dim !== 0 ? { scale, zeroPoint, quantizedDimension: dim } : { scale, zeroPoint };
}

function padding(code: number): Padding {
  return PADDING_BY_CODE.get(code) ?? invalid(`unknown padding ${code}`);
}
function activation(code: number): FusedActivation {
  return ACTIVATION_BY_CODE.get(code) ?? invalid(`fused activation ${code} is not supported`);
}

function options(t: Table, expected: number, op: OpName, n: number): Table | null {
  const type = t.uint8(F.Operator.builtinOptionsType, 0);
  if (type === OPTIONS_TYPE.NONE) return null;
  if (type !== expected) invalid(`operator ${n} (${op}) carries options of union type ${type}, expected ${expected}`);
  return t.table(F.Operator.builtinOptions);
}

function arity(op: OpName, ins: number[], outs: number[], inputs: number, n: number): void {
  if ((inputs >= 0 ? ins.length !== inputs : ins.length < 1) || outs.length !== 1)
    invalid(`operator ${n} (${op}) has ${ins.length} inputs and ${outs.length} outputs`);
}

function readOperator(op: OpName, ins: number[], outs: number[], t: Table, n: number): OpIR {
  const out = [outs[0]!] as [number];
  switch (op) {
    case 'QUANTIZE':
    case 'DEQUANTIZE':
      arity(op, ins, outs, 1, n);
      return { op, inputs: [ins[0]!], outputs: out };
    case 'CONV_2D': {
      arity(op, ins, outs, 3, n);
      const o = options(t, OPTIONS_TYPE.Conv2DOptions, op, n);
      const C = F.Conv2DOptions;
      return {
        op,
        inputs: [ins[0]!, ins[1]!, ins[2]!],
        outputs: out,
        options: {
          padding: padding(o?.int8(C.padding, 0) ?? 0),
          strideW: o?.int32(C.strideW, 0) ?? 0,
          strideH: o?.int32(C.strideH, 0) ?? 0,
          fusedActivation: activation(o?.int8(C.fusedActivation, 0) ?? 0),
          dilationW: o?.int32(C.dilationW, 1) ?? 1,
          dilationH: o?.int32(C.dilationH, 1) ?? 1,
        },
      };
    }
    case 'MAX_POOL_2D':
    case 'AVERAGE_POOL_2D': {
      arity(op, ins, outs, 1, n);
      const o = options(t, OPTIONS_TYPE.Pool2DOptions, op, n);
      const P = F.Pool2DOptions;
      return {
        op,
        inputs: [ins[0]!],
        outputs: out,
        options: {
          padding: padding(o?.int8(P.padding, 0) ?? 0),
          strideW: o?.int32(P.strideW, 0) ?? 0,
          strideH: o?.int32(P.strideH, 0) ?? 0,
          filterW: o?.int32(P.filterW, 0) ?? 0,
          filterH: o?.int32(P.filterH, 0) ?? 0,
          fusedActivation: activation(o?.int8(P.fusedActivation, 0) ?? 0),
        },
      };
    }
    case 'FULLY_CONNECTED': {
      arity(op, ins, outs, 3, n);
      const o = options(t, OPTIONS_TYPE.FullyConnectedOptions, op, n);
      const FC = F.FullyConnectedOptions;
      if ((o?.int8(FC.weightsFormat, 0) ?? 0) !== 0) invalid(`operator ${n} (${op}) uses a shuffled weights format`);
      return {
        op,
        inputs: [ins[0]!, ins[1]!, ins[2]!],
        outputs: out,
        options: {
          fusedActivation: activation(o?.int8(FC.fusedActivation, 0) ?? 0),
          keepNumDims: (o?.uint8(FC.keepNumDims, 0) ?? 0) !== 0,
        },
      };
    }
    case 'SOFTMAX': {
      arity(op, ins, outs, 1, n);
      const o = options(t, OPTIONS_TYPE.SoftmaxOptions, op, n);
      return { op, inputs: [ins[0]!], outputs: out, options: { beta: o?.float32(F.SoftmaxOptions.beta, 0) ?? 0 } };
    }
    case 'CONCATENATION': {
      arity(op, ins, outs, -1, n);
      const o = options(t, OPTIONS_TYPE.ConcatenationOptions, op, n);
      return {
        op,
        inputs: ins,
        outputs: out,
        options: {
          axis: o?.int32(F.ConcatenationOptions.axis, 0) ?? 0,
          fusedActivation: activation(o?.int8(F.ConcatenationOptions.fusedActivation, 0) ?? 0),
        },
      };
    }
    case 'ADD': {
      arity(op, ins, outs, 2, n);
      const o = options(t, OPTIONS_TYPE.AddOptions, op, n);
      return {
        op,
        inputs: [ins[0]!, ins[1]!],
        outputs: out,
        options: { fusedActivation: activation(o?.int8(F.AddOptions.fusedActivation, 0) ?? 0) },
      };
    }
    case 'RESHAPE': {
      arity(op, ins, outs, 2, n);
      const o = options(t, OPTIONS_TYPE.ReshapeOptions, op, n);
      return {
        op,
        inputs: [ins[0]!, ins[1]!],
        outputs: out,
        options: { newShape: o?.int32s(F.ReshapeOptions.newShape) ?? [] },
      };
    }
    case 'MEAN': {
      arity(op, ins, outs, 2, n);
      const o = options(t, OPTIONS_TYPE.ReducerOptions, op, n);
      return {
        op,
        inputs: [ins[0]!, ins[1]!],
        outputs: out,
        options: { keepDims: (o?.uint8(F.ReducerOptions.keepDims, 0) ?? 0) !== 0 },
      };
    }
  }
}
