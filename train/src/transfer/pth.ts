// PyTorch's torch.save files (the zip format, PyTorch ≥ 1.6): `<archive>/data.pkl` describes the object,
// `<archive>/data/<key>` holds each storage's raw little-endian bytes. The zip is read with fflate and the
// pickle with our restricted unpickler (pickle.ts), so no Python and no code from the file ever runs.
import { unzipSync } from 'fflate';
import { TransferError } from './errors.ts';
import { halfToFloat } from './safetensors.ts';
import { PickleDict, unpickle, type PickleValue, type StorageDtype, type TensorRef } from './pickle.ts';
import { sizeOf, type StateDict } from './tensors.ts';

const BYTES: Record<StorageDtype, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function isZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export function readPth(bytes: Uint8Array, what = '.pth file'): StateDict {
  if (!isZip(bytes)) {
    throw new TransferError(
      'bad_weights_file',
      `${what} is not a zip: only torch.save's zip format (PyTorch ≥ 1.6) is read, not the legacy pickle-only format`,
    );
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new TransferError('bad_weights_file', `${what} is truncated or not a valid zip (${(err as Error).message})`);
  }
  const pkl = Object.keys(files).find((f) => f.endsWith('/data.pkl') || f === 'data.pkl');
  if (!pkl) throw new TransferError('bad_weights_file', `${what} has no data.pkl: not a torch.save file`);
  const root = pkl.slice(0, -'data.pkl'.length);
  const top = unpickle(files[pkl]!);
  const dict = stateDictOf(top, what);
  const out: StateDict = new Map();
  for (const [k, v] of dict) {
    if (typeof k !== 'string') throw new TransferError('unsafe_pickle', `${what}: a state-dict key is not a string`);
    if (!v || typeof v !== 'object' || (v as TensorRef).kind !== 'tensor') {
      throw new TransferError('unsafe_pickle', `${what}: '${k}' is not a tensor; a weights file may hold only tensors`);
    }
    const t = v as TensorRef;
    const storage = files[`${root}data/${t.storage.key}`];
    if (!storage)
      throw new TransferError(
        'bad_weights_file',
        `${what}: tensor '${k}' points at storage ${t.storage.key}, which the zip lacks`,
      );
    out.set(k, { shape: t.size, data: gather(t, storage, k, what) });
  }
  return out;
}

/** A state dict, or the usual checkpoint wrappers around one ({state_dict: …} / {model: …}). */
function stateDictOf(top: PickleValue, what: string): PickleDict {
  if (!(top instanceof PickleDict)) throw new TransferError('unsafe_pickle', `${what} does not hold a dict of tensors`);
  for (const key of ['state_dict', 'model_state_dict', 'model']) {
    const inner = top.get(key);
    if (inner instanceof PickleDict) return inner;
  }
  return top;
}

function gather(t: TensorRef, storage: Uint8Array, name: string, what: string): Float32Array {
  const width = BYTES[t.storage.dtype];
  const elements = storage.byteLength / width;
  const n = sizeOf(t.size);
  let last = t.offset;
  t.size.forEach((s, i) => (last += (s - 1) * t.stride[i]!));
  if (n > 0 && (t.offset < 0 || last >= elements)) {
    throw new TransferError(
      'bad_weights_file',
      `${what}: tensor '${name}' reaches element ${last} of a ${elements}-element storage (truncated?)`,
    );
  }
  const values = decodeStorage(t.storage.dtype, storage.slice());
  const out = new Float32Array(n);
  const rank = t.size.length;
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o++) {
    let src = t.offset;
    for (let a = 0; a < rank; a++) src += idx[a]! * t.stride[a]!;
    out[o] = values[src]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < t.size[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

function decodeStorage(dtype: StorageDtype, b: Uint8Array): ArrayLike<number> {
  switch (dtype) {
    case 'float32':
      return new Float32Array(b.buffer, 0, b.byteLength / 4);
    case 'float64':
      return new Float64Array(b.buffer, 0, b.byteLength / 8);
    case 'float16':
      return halfToFloat(new Uint16Array(b.buffer, 0, b.byteLength / 2));
    case 'bfloat16': {
      const src = new Uint16Array(b.buffer, 0, b.byteLength / 2);
      const u = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) u[i] = src[i]! << 16;
      return new Float32Array(u.buffer);
    }
    case 'int64':
      return Float64Array.from(new BigInt64Array(b.buffer, 0, b.byteLength / 8), (v) => Number(v));
    case 'int32':
      return new Int32Array(b.buffer, 0, b.byteLength / 4);
    case 'int16':
      return new Int16Array(b.buffer, 0, b.byteLength / 2);
    case 'int8':
      return new Int8Array(b.buffer);
    case 'uint8':
    case 'bool':
      return b;
  }
}
