// Format and size from the first bytes of a file, without decoding: what the pixel limit is checked against.
import { ImageError } from './errors.ts';
import { readJpegHeader } from './jpeg-header.ts';
import { readPngHeader } from './png-header.ts';
import { sniffFormat, sniffUnsupported } from './sniff.ts';
import type { ImageHeader } from './types.ts';

export const ACCEPTED_FORMATS = 'JPEG (baseline or progressive) or PNG';

export function webpRefused(): ImageError {
  return new ImageError(
    'unsupported_format',
    `WebP is not supported yet: no WebP decoder is built into this worker; send ${ACCEPTED_FORMATS}`,
  );
}

export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ImageError('empty_image', 'the image is empty (0 bytes)');
  const format = sniffFormat(bytes);
  switch (format) {
    case 'jpeg': {
      const { width, height } = readJpegHeader(bytes);
      return { format, width, height };
    }
    case 'png': {
      const { width, height } = readPngHeader(bytes);
      return { format, width, height };
    }
    case 'webp':
      throw webpRefused();
    default: {
      const known = sniffUnsupported(bytes);
      if (known) throw new ImageError('unsupported_format', `${known} images are not supported; send ${ACCEPTED_FORMATS}`);
      const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new ImageError('unsupported_format', `not a JPEG or PNG image (first bytes: ${head}); send ${ACCEPTED_FORMATS}`);
    }
  }
}
