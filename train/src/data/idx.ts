// Loader (d): IDX files, the MNIST / Fashion-MNIST format (http://yann.lecun.com/exdb/mnist/), gzipped or not.
// Header: two zero bytes, a type byte (0x08 = unsigned byte), a dimension count, then one big-endian
// uint32 per dimension. Images are N×rows×cols (or N×rows×cols×channels); labels are N bytes.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Dataset, IdxDatasetOptions, Sample } from './dataset.ts';
import { emptySkipped } from './skipped.ts';
import { DatasetError } from './errors.ts';
import { checkClasses } from './labels.ts';

const gunzipAsync = promisify(gunzip);
const UNSIGNED_BYTE = 0x08;

export interface IdxArray {
  dims: number[];
  /** The element bytes, row-major, after the header. */
  data: Uint8Array;
}

/** Parses one IDX file's bytes (gunzipped already). Only unsigned-byte data, the type MNIST uses. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError('bad_idx_magic', `'${source}' is not an IDX file (its first bytes are not 00 00)`);
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    throw new DatasetError('bad_idx_magic', `'${source}': IDX element type 0x${bytes[2]!.toString(16).padStart(2, '0')} is not supported (only 0x08, unsigned byte)`);
  }
  const ndims = bytes[3]!;
  const headerLength = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerLength) {
    throw new DatasetError('idx_truncated', `'${source}': IDX header is ${bytes.length < headerLength ? 'cut short' : 'without dimensions'}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndims }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - headerLength < count) {
    throw new DatasetError('idx_truncated', `'${source}': header promises ${dims.join('×')} = ${count} bytes of data, the file has ${bytes.length - headerLength}`);
  }
  return { dims, data: bytes.subarray(headerLength, headerLength + count) };
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic (1f 8b) whatever its name. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path).catch(() => {
    throw new DatasetError('not_found', `IDX file '${path}' cannot be read`);
  });
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    bytes = await gunzipAsync(bytes).catch((e: Error) => {
      throw new DatasetError('idx_truncated', `'${path}': gzip data is corrupt (${e.message})`);
    });
  }
  return parseIdx(bytes, path);
}

export async function loadIdxDataset(options: IdxDatasetOptions): Promise<Dataset> {
  const [images, labelArray] = await Promise.all([readIdxFile(resolve(options.path)), readIdxFile(resolve(options.labelsPath))]);
  const [n, height, width, channels = 1] = images.dims;
  if (images.dims.length < 3 || images.dims.length > 4 || (channels !== 1 && channels !== 3)) {
    throw new DatasetError('bad_idx_magic', `'${options.path}' holds a ${images.dims.join('×')} array, not images (N×rows×cols or N×rows×cols×1|3)`);
  }
  if (labelArray.dims.length !== 1) {
    throw new DatasetError('bad_idx_magic', `'${options.labelsPath}' holds a ${labelArray.dims.join('×')} array, not one label per image`);
  }
  if (labelArray.dims[0] !== n) {
    throw new DatasetError('idx_count_mismatch', `'${options.path}' has ${n} images but '${options.labelsPath}' has ${labelArray.dims[0]} labels`);
  }
  const maxLabel = labelArray.data.reduce((m, v) => Math.max(m, v), 0);
  const labels = options.labels ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
  if (maxLabel >= labels.length) {
    throw new DatasetError('unknown_label', `'${options.labelsPath}' has label ${maxLabel} but only ${labels.length} label names were given (${labels.join(', ')})`);
  }

  const name = basename(options.path);
  const pixels = height! * width! * channels;
  const samples: Sample[] = new Array(n!);
  for (let i = 0; i < n!; i++) {
    samples[i] = {
      id: `${name}#${i}`,
      label: labelArray.data[i]!,
      source: { kind: 'raw', image: { width: width!, height: height!, channels: channels as 1 | 3, data: images.data.subarray(i * pixels, (i + 1) * pixels) } },
    };
  }
  checkClasses(`IDX '${options.path}'`, labels, samples);
  return { name, labels, samples, skipped: emptySkipped() };
}
