// A state dict as plain data: name → shape + float32 values, row-major. Every reader produces one and
// every mapping consumes one, so formats and naming schemes stay independent of each other.
import { TransferError } from './errors.ts';

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export type StateDict = Map<string, HostTensor>;

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function hostTensor(shape: number[], data: Float32Array, name: string): HostTensor {
  if (data.length !== sizeOf(shape)) {
    throw new TransferError(
      'bad_weights_file',
      `tensor '${name}' has ${data.length} values but shape [${shape.join(', ')}] needs ${sizeOf(shape)}`,
    );
  }
  return { shape, data };
}

/** Reorders the axes of a row-major tensor: out axis i is in axis perm[i]. */
export function transpose(t: HostTensor, perm: number[]): HostTensor {
  const inShape = t.shape;
  const outShape = perm.map((p) => inShape[p]!);
  const inStrides = strides(inShape);
  const out = new Float32Array(t.data.length);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  const permStrides = perm.map((p) => inStrides[p]!);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += idx[a]! * permStrides[a]!;
    out[o] = t.data[src]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < outShape[a]!) break;
      idx[a] = 0;
    }
  }
  return { shape: outShape, data: out };
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** A [kh, kw, ci, co] kernel zero-extended to [kh+dh, kw+dw, ci, co] at the bottom/right (models/layers.ts 'torchvision'). */
export function padKernel(t: HostTensor, kh: number, kw: number): HostTensor {
  const [h, w, ci, co] = t.shape as [number, number, number, number];
  const out = new Float32Array(kh * kw * ci * co);
  const row = ci * co;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) out.set(t.data.subarray((y * w + x) * row, (y * w + x + 1) * row), (y * kw + x) * row);
  return { shape: [kh, kw, ci, co], data: out };
}
