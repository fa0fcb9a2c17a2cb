// Reads a PNG's IHDR chunk (always the first chunk) without inflating anything.
import { ImageError } from './errors.ts';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

const IHDR = [0x49, 0x48, 0x44, 0x52];

export function readPngHeader(bytes: Uint8Array): PngHeader {
  // 8-byte signature, 4-byte length, "IHDR", 13 bytes of fields.
  if (bytes.length < 8 + 8 + 13) {
    throw new ImageError('corrupt_image', `PNG is truncated: ${bytes.length} bytes, too short for its header`);
  }
  if (!IHDR.every((b, i) => bytes[12 + i] === b)) {
    throw new ImageError('corrupt_image', 'PNG is corrupt: the first chunk is not IHDR');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0) {
    throw new ImageError('corrupt_image', `PNG header declares a ${width}×${height} image`);
  }
  return { width, height, bitDepth: bytes[24]!, colorType: bytes[25]! };
}
