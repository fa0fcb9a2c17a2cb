// Bytes → RawImage. The pixel limit is checked on the header's claimed size before any pixel is decoded,
// so a 50000×50000 "decompression bomb" costs a few bytes of parsing, not gigabytes of memory; every
// buffer after that is charged to a MemoryBudget, so an image the budget cannot hold is refused up front.
import { MemoryBudget } from './budget.ts';
import { ImageError } from './errors.ts';
import { readImageHeader } from './header.ts';
import { decodeJpegScaled, type JpegScale } from './jpeg/decode.ts';
import { decodePngRows } from './png/decode.ts';
import { DEFAULT_MAX_PIXELS } from './limits.ts';
import type { ImageHeader, RawImage } from './types.ts';
import { decodeWebpRows } from './webp/decode.ts';

export { sniffFormat } from './sniff.ts';
export { readImageHeader } from './header.ts';

export interface DecodeOptions {
  /** Refuse images whose header claims more pixels than this. Default 50 megapixels. */
  maxPixels?: number;
  /** Where buffers are charged. Default: 16 bytes per allowed pixel (a full-size decode, as the CLI does). */
  budget?: MemoryBudget;
  /** JPEG only: decode at 1/scale (DCT-domain). Default 1. */
  jpegScale?: JpegScale;
}

export function checkPixels(header: ImageHeader, maxPixels: number): void {
  const pixels = header.width * header.height;
  if (pixels > maxPixels) {
    throw new ImageError(
      'too_many_pixels',
      `image is ${header.width}×${header.height} = ${pixels} pixels, more than the limit of ${maxPixels} (${Math.floor(maxPixels / 1e6)} MP)`,
    );
  }
}

export function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): RawImage {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const header = readImageHeader(bytes);
  checkPixels(header, maxPixels);
  const budget = opts.budget ?? new MemoryBudget(Math.max(64 * 1024 * 1024, maxPixels * 16));
  switch (header.format) {
    case 'jpeg':
      return decodeJpegScaled(bytes, opts.jpegScale ?? 1, budget);
    case 'png': {
      let data: Uint8Array | null = null;
      const info = decodePngRows(bytes, budget, (row, y) => {
        data ??= budget.u8((header.width * header.height * row.length) / header.width, 'decoded PNG');
        data.set(row, y * row.length);
      });
      return { width: info.width, height: info.height, channels: info.channels, data: data! };
    }
    case 'webp': {
      const data = budget.u8(header.width * header.height * 3, 'decoded WebP');
      decodeWebpRows(bytes, budget, (row, y) => data.set(row, y * row.length));
      return { width: header.width, height: header.height, channels: 3, data };
    }
  }
}
