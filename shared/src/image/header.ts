// Format and size from the first bytes of a file, without decoding: what the pixel limit is checked against.
import { ImageError } from './errors.ts';
import { readJpegHeader } from './jpeg-header.ts';
import { readPngHeader } from './png-header.ts';
import { sniffFormat, sniffUnsupported } from './sniff.ts';
import type { ImageHeader } from './types.ts';
import { parseWebp } from './webp/container.ts';

export const ACCEPTED_FORMATS = 'JPEG (baseline or progressive), PNG or WebP (lossy or lossless, still)';

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
    case 'webp': {
      const { width, height } = parseWebp(bytes);
      return { format, width, height };
    }
    default: {
      const known = sniffUnsupported(bytes);
      if (known)
        throw new ImageError('unsupported_format', `${known} images are not supported; send ${ACCEPTED_FORMATS}`);
      const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new ImageError(
        'unsupported_format',
        `not a JPEG, PNG or WebP image (first bytes: ${head}); send ${ACCEPTED_FORMATS}`,
      );
    }
  }
}
