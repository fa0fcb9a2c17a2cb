// Bytes → RawImage. The pixel limit is checked on the header's claimed size before any pixel is decoded,
// so a 50000×50000 "decompression bomb" costs a few bytes of parsing, not gigabytes of memory.
import { DEFAULT_MAX_PIXELS } from '../preprocess/spec.ts';
import { ImageError } from './errors.ts';
import { readImageHeader, webpRefused } from './header.ts';
import { decodeJpeg } from './jpeg.ts';
import { decodePng } from './png.ts';
import type { RawImage } from './types.ts';

export { sniffFormat } from './sniff.ts';
export { readImageHeader } from './header.ts';

export interface DecodeOptions {
  /** Refuse images whose header claims more pixels than this. Default 40 megapixels. */
  maxPixels?: number;
}

export function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): RawImage {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const header = readImageHeader(bytes);
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new ImageError(
      'too_many_pixels',
      `image is ${header.width}×${header.height} = ${pixels} pixels, more than the limit of ${maxPixels}`,
    );
  }
  switch (header.format) {
    case 'jpeg':
      return decodeJpeg(bytes, maxPixels);
    case 'png':
      return decodePng(bytes);
    case 'webp':
      throw webpRefused();
  }
}
