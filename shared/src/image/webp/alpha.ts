// The ALPH chunk (RFC 9649 §2.7.1.1): a lossy picture's alpha plane, raw or as a header-less VP8L stream
// (alpha in the green channel), then optionally un-filtered with the left / top / gradient predictor.
import type { MemoryBudget } from '../budget.ts';
import { ImageError } from '../errors.ts';
import { decodeLosslessGreen } from './vp8l/decode.ts';

function corrupt(message: string): ImageError {
  return new ImageError('corrupt_image', `WebP alpha (ALPH) is corrupt: ${message}`);
}

/** Undoes the filter in place, row by row; the first row is always predicted from its left neighbour. */
function unfilter(alpha: Uint8Array, width: number, height: number, filter: number): void {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const above = row - width;
    if (y === 0 || filter === 1) {
      let pred = y === 0 ? 0 : alpha[above]!;
      for (let x = 0; x < width; x++) pred = alpha[row + x] = (alpha[row + x]! + pred) & 0xff;
    } else if (filter === 2) {
      for (let x = 0; x < width; x++) alpha[row + x] = (alpha[row + x]! + alpha[above + x]!) & 0xff;
    } else {
      let left = alpha[above]!;
      let topLeft = left;
      for (let x = 0; x < width; x++) {
        const top = alpha[above + x]!;
        const g = left + top - topLeft;
        left = alpha[row + x] = (alpha[row + x]! + (g < 0 ? 0 : g > 255 ? 255 : g)) & 0xff;
        topLeft = top;
      }
    }
  }
}

/** The alpha plane (width·height bytes, charged to the budget) of a lossy picture. */
export function decodeAlpha(chunk: Uint8Array, width: number, height: number, budget: MemoryBudget): Uint8Array {
  if (chunk.length < 1) throw corrupt('the chunk is empty');
  const header = chunk[0]!;
  const compression = header & 3;
  const filter = (header >> 2) & 3;
  const preprocessing = (header >> 4) & 3;
  if (compression > 1 || preprocessing > 1 || header >> 6 !== 0) throw corrupt(`header byte 0x${header.toString(16)}`);
  const pixels = width * height;
  let alpha: Uint8Array;
  if (compression === 0) {
    if (chunk.length - 1 < pixels) {
      throw new ImageError('corrupt_image', `WebP alpha is truncated: ${chunk.length - 1} of ${pixels} bytes`);
    }
    alpha = budget.u8(pixels, 'WebP alpha plane');
    alpha.set(chunk.subarray(1, 1 + pixels));
  } else {
    alpha = decodeLosslessGreen(chunk.subarray(1), width, height, budget);
  }
  if (filter !== 0) unfilter(alpha, width, height, filter);
  return alpha;
}
