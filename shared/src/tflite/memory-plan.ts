// Assigns every activation tensor a buffer before the first inference, reusing a buffer once the last op
// that reads its tensor has run (a greedy, TFLite-Micro-like arena), so peak memory is a few activations
// rather than all of them. Constants keep their own data; graph inputs and outputs get dedicated buffers.
import type { GraphIR, TensorIR } from './ir.ts';
import type { TensorData } from './kernels/kernel.ts';
import { TfliteError } from './errors.ts';
import { ELEMENT_SIZE } from './schema.ts';

export interface MemoryPlan {
  data: TensorData[];
  /** Bytes of all activation buffers together. */
  arenaBytes: number;
}

function view(t: TensorIR, buffer: ArrayBuffer, length: number): TensorData {
  return t.type === 'int8'
    ? new Int8Array(buffer, 0, length)
    : t.type === 'int32'
      ? new Int32Array(buffer, 0, length)
      : new Float32Array(buffer, 0, length);
}

/** `reuse: false` gives every activation its own buffer, so all of them stay readable after a run (debugging, tests). */
export function planMemory(graph: GraphIR, options: { reuse?: boolean } = {}): MemoryPlan {
  const reuse = options.reuse ?? true;
  const n = graph.tensors.length;
  const data: (TensorData | undefined)[] = new Array(n);
  const lastUse = new Array<number>(n).fill(-1);
  const pinned = new Set([...graph.inputs, ...graph.outputs]);
  graph.ops.forEach((op, k) => op.inputs.forEach((i) => (lastUse[i] = k)));
  let arenaBytes = 0;
  const free: ArrayBuffer[] = [];

  const allocate = (index: number): void => {
    const t = graph.tensors[index]!;
    const length = t.shape.reduce((a, d) => a * d, 1);
    const bytes = Math.max(length * ELEMENT_SIZE[t.type], 4);
    let best = -1;
    if (!pinned.has(index)) {
      for (let i = 0; i < free.length; i++)
        if (free[i]!.byteLength >= bytes && (best < 0 || free[i]!.byteLength < free[best]!.byteLength)) best = i;
    }
    let buffer: ArrayBuffer;
    if (best >= 0) buffer = free.splice(best, 1)[0]!;
    else {
      buffer = new ArrayBuffer(bytes);
      arenaBytes += bytes;
    }
    data[index] = view(t, buffer, length);
  };

  graph.tensors.forEach((t, i) => {
    if (t.data) data[i] = t.data;
  });
  for (const i of graph.inputs) {
    if (data[i]) throw new TfliteError('invalid_model', `graph input ${i} '${graph.tensors[i]!.name}' is a constant`);
    allocate(i);
  }
  graph.ops.forEach((op, k) => {
    for (const i of op.inputs) {
      if (!data[i])
        throw new TfliteError(
          'invalid_model',
          `operator ${k} (${op.op}) reads tensor ${i} '${graph.tensors[i]!.name}' before anything writes it`,
        );
    }
    for (const o of op.outputs) {
      if (data[o])
        throw new TfliteError(
          'invalid_model',
          `operator ${k} (${op.op}) writes tensor ${o} '${graph.tensors[o]!.name}', which already has a value`,
        );
      allocate(o);
    }
    for (const i of new Set(op.inputs)) {
      if (reuse && lastUse[i] === k && !pinned.has(i) && !graph.tensors[i]!.data)
        free.push(data[i]!.buffer as ArrayBuffer);
    }
  });
  for (const o of graph.outputs) {
    if (!data[o])
      throw new TfliteError('invalid_model', `graph output ${o} '${graph.tensors[o]!.name}' is never written`);
  }
  return { data: data.map((d) => d ?? new Int8Array(0)), arenaBytes };
}
