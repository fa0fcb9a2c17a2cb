// JPEG → RawImage with the pure-JS jpeg-js decoder (runs in workerd: no wasm, no eval), EXIF orientation applied.
import jpeg from 'jpeg-js';
import { ImageError } from './errors.ts';
import { applyOrientation } from './exif.ts';
import { readJpegHeader } from './jpeg-header.ts';
import type { RawImage } from './types.ts';

const EOI = 0xd9;

// jpeg-js tolerates a missing tail by painting grey, which would silently train or classify on half an
// image; a JPEG must end with its end-of-image marker (a few trailing bytes after it are allowed).
function hasEndOfImage(bytes: Uint8Array): boolean {
  const from = Math.max(2, bytes.length - 1024);
  for (let i = bytes.length - 2; i >= from; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === EOI) return true;
  }
  return false;
}

export function decodeJpeg(bytes: Uint8Array, maxPixels: number): RawImage {
  const header = readJpegHeader(bytes);
  if (!hasEndOfImage(bytes)) {
    throw new ImageError('corrupt_image', 'JPEG is truncated: no end-of-image marker');
  }
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: Math.max(1, Math.ceil(maxPixels / 1_000_000)),
      // RGB output plus jpeg-js's own component planes and DCT blocks: generous, but bounded.
      maxMemoryUsageInMB: Math.max(64, Math.ceil((maxPixels * 12) / (1024 * 1024))),
    });
  } catch (error) {
    throw new ImageError('corrupt_image', `JPEG could not be decoded: ${(error as Error).message}`);
  }
  if (decoded.width !== header.width || decoded.height !== header.height) {
    throw new ImageError('corrupt_image', 'JPEG decoded to a different size than its header declares');
  }
  // jpeg-js always returns RGB; a one-component JPEG has R = G = B, so keep one of them.
  let image: RawImage;
  if (header.components === 1) {
    const gray = new Uint8Array(decoded.width * decoded.height);
    for (let i = 0; i < gray.length; i++) gray[i] = decoded.data[i * 3]!;
    image = { width: decoded.width, height: decoded.height, channels: 1, data: gray };
  } else {
    image = { width: decoded.width, height: decoded.height, channels: 3, data: decoded.data };
  }
  return applyOrientation(image, header.orientation);
}
