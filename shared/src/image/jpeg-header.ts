// Walks a JPEG's marker segments up to the first scan, reading the frame header (size, component count)
// and the EXIF orientation, without touching the entropy-coded data. Cheap enough to run on every upload
// before deciding whether to decode at all.
import { ImageError } from './errors.ts';
import { readExifOrientation, type Orientation } from './exif.ts';

export interface JpegHeader {
  width: number;
  height: number;
  components: number;
  orientation: Orientation;
}

// SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): every frame header has the same layout.
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

// Markers that stand alone, without a length field.
function hasNoLength(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);
}

const START_OF_SCAN = 0xda;
const APP1 = 0xe1;

function truncated(what: string): ImageError {
  return new ImageError('corrupt_image', `JPEG is truncated or corrupt: ${what}`);
}

export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  let orientation: Orientation = 1;
  let offset = 2; // after SOI
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) throw truncated(`expected a marker at byte ${offset}`);
    // Any number of 0xFF fill bytes may precede a marker code.
    while (bytes[offset] === 0xff && offset < bytes.length) offset++;
    if (offset >= bytes.length) break;
    const marker = bytes[offset++]!;
    if (hasNoLength(marker)) continue;
    if (offset + 2 > bytes.length) break;
    const length = (bytes[offset]! << 8) | bytes[offset + 1]!;
    if (length < 2) throw truncated(`segment 0x${marker.toString(16)} has length ${length}`);
    const segmentEnd = offset + length;
    if (segmentEnd > bytes.length) break;
    const body = bytes.subarray(offset + 2, segmentEnd);
    if (isStartOfFrame(marker)) {
      if (body.length < 6) throw truncated('frame header too short');
      const height = (body[1]! << 8) | body[2]!;
      const width = (body[3]! << 8) | body[4]!;
      const components = body[5]!;
      if (width === 0 || height === 0) {
        throw new ImageError('corrupt_image', `JPEG frame header declares a ${width}×${height} image`);
      }
      if (components !== 1 && components !== 3 && components !== 4) {
        throw new ImageError('unsupported_format', `JPEG with ${components} colour components is not supported`);
      }
      return { width, height, components, orientation };
    }
    if (marker === APP1) orientation = readExifOrientation(body) ?? orientation;
    if (marker === START_OF_SCAN) throw truncated('scan data before any frame header');
    offset = segmentEnd;
  }
  throw truncated('no frame header (SOF) before the end of the file');
}
