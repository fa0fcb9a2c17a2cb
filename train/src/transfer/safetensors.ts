// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}}, then the raw
// little-endian bytes. Nothing in it executes; we only check that every offset stays inside the file.
import { TransferError } from './errors.ts';
import { hostTensor, sizeOf, type StateDict } from './tensors.ts';

const MAX_HEADER = 100 * 1024 * 1024;

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsFile {
  tensors: StateDict;
  metadata: Record<string, string>;
}

export function readSafetensors(bytes: Uint8Array, what = 'safetensors file'): SafetensorsFile {
  if (bytes.byteLength < 8)
    throw new TransferError('bad_weights_file', `${what} is truncated: ${bytes.byteLength} bytes, no header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.byteLength) {
    throw new TransferError(
      'bad_weights_file',
      `${what} is truncated or not safetensors: header of ${headerLength} bytes in a ${bytes.byteLength}-byte file`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)),
    ) as Record<string, unknown>;
  } catch (err) {
    throw new TransferError('bad_weights_file', `${what}: the header is not JSON (${(err as Error).message})`);
  }
  const body = bytes.subarray(8 + headerLength);
  const tensors: StateDict = new Map();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const e = raw as Entry;
    if (!e || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || typeof e.dtype !== 'string') {
      throw new TransferError('bad_weights_file', `${what}: entry '${name}' is malformed`);
    }
    const [begin, end] = e.data_offsets;
    if (!(Number.isInteger(begin) && Number.isInteger(end) && 0 <= begin && begin <= end && end <= body.byteLength)) {
      throw new TransferError(
        'bad_weights_file',
        `${what} is truncated: '${name}' needs bytes ${begin}–${end} of a ${body.byteLength}-byte body`,
      );
    }
    tensors.set(name, hostTensor(e.shape, decode(e.dtype, body.subarray(begin, end), name, what), name));
  }
  return { tensors, metadata };
}

function decode(dtype: string, raw: Uint8Array, name: string, what: string): Float32Array {
  const copy = raw.slice(); // aligned, and detached from the file's buffer
  switch (dtype) {
    case 'F32':
      return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
    case 'F64':
      return Float32Array.from(new Float64Array(copy.buffer, 0, copy.byteLength / 8));
    case 'F16':
      return halfToFloat(new Uint16Array(copy.buffer, 0, copy.byteLength / 2));
    case 'BF16': {
      const src = new Uint16Array(copy.buffer, 0, copy.byteLength / 2);
      const out = new Uint32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = src[i]! << 16;
      return new Float32Array(out.buffer);
    }
    case 'I64': {
      // BatchNorm's num_batches_tracked: kept as a number so mappings can drop it knowingly.
      const src = new BigInt64Array(copy.buffer, 0, copy.byteLength / 8);
      return Float32Array.from(src, (v) => Number(v));
    }
    default:
      throw new TransferError(
        'bad_weights_file',
        `${what}: tensor '${name}' has dtype ${dtype}; only F32, F64, F16, BF16 and I64 are read`,
      );
  }
}

export function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const v = h[i]!;
    const sign = v & 0x8000 ? -1 : 1;
    const exp = (v >> 10) & 0x1f;
    const frac = v & 0x3ff;
    out[i] =
      exp === 0
        ? sign * 2 ** -14 * (frac / 1024)
        : exp === 31
          ? frac
            ? NaN
            : sign * Infinity
          : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}

/** Float32 tensors (in insertion order) and string metadata as one safetensors file. */
export function writeSafetensors(tensors: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.data.length !== sizeOf(t.shape))
      throw new TransferError('bad_weights_file', `tensor '${name}' does not match its shape`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // The body starts 8-byte aligned, as the reference writer pads it.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).byteLength) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
