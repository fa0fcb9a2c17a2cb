// The worker's bound on PNG work: a PNG cannot be decoded at a reduced size (every row is inflated and
// unfiltered, the next one depends on it), so its decode time grows with its inflated image data. Checked on
// the header, before anything is inflated.
import { ImageError } from '../errors.ts';
import { readPngHeader } from '../png-header.ts';
import { imageDataBytes } from './scanline.ts';

export function checkPngDataLimit(bytes: Uint8Array, limit: number): void {
  const header = readPngHeader(bytes);
  const data = imageDataBytes(header);
  if (data <= limit) return;
  const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
  throw new ImageError(
    'png_too_large',
    `PNG image data is ${mb(data)} MB once inflated (${header.width}×${header.height}, ${header.bitDepth}-bit), ` +
      `more than the ${mb(limit)} MB this service decodes (PNG cannot be decoded at a reduced size); ` +
      'send it as JPEG or WebP, or as a smaller PNG',
  );
}
