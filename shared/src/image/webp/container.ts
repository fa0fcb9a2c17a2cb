// The RIFF container of a WebP file (RFC 9649 §2): "RIFF", size, "WEBP", then chunks. A still image is one
// VP8 (lossy) or VP8L (lossless) chunk, optionally behind a VP8X header that may add ALPH (alpha for a lossy
// picture), ICCP, EXIF and XMP. Every size is checked against the bytes there are; animation is refused.
import { ImageError } from '../errors.ts';
import { readLosslessHeader } from './vp8l/decode.ts';

export interface WebpStill {
  width: number;
  height: number;
  /** 'lossy': `bitstream` is a VP8 key frame; 'lossless': a VP8L stream (header included). */
  kind: 'lossy' | 'lossless';
  bitstream: Uint8Array;
  /** The ALPH chunk's payload (lossy pictures only), or null when the picture is opaque. */
  alpha: Uint8Array | null;
}

const ANIMATION_FLAG = 0x02;

function corrupt(message: string): ImageError {
  return new ImageError('corrupt_image', `WebP is corrupt: ${message}`);
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function u24(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
}

function animated(): ImageError {
  return new ImageError('animated_image', 'animated WebP is not supported: send a still image (one frame)');
}

/** A VP8 key frame's 10-byte header: 3-byte frame tag, start code 9d 01 2a, 14-bit width and height. */
export function readLossyHeader(frame: Uint8Array): { width: number; height: number } {
  if (frame.length < 10) {
    throw new ImageError(
      'corrupt_image',
      `WebP lossy data is truncated: ${frame.length} bytes, too short for its header`,
    );
  }
  if ((frame[0]! & 1) !== 0) throw corrupt('the VP8 frame is not a key frame');
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) throw corrupt('the VP8 frame lacks its start code');
  const width = (frame[6]! | (frame[7]! << 8)) & 0x3fff;
  const height = (frame[8]! | (frame[9]! << 8)) & 0x3fff;
  if (width === 0 || height === 0) throw corrupt(`the VP8 frame declares a ${width}×${height} picture`);
  return { width, height };
}

/** Parses the container and the bitstream's own header; no pixel is decoded. */
export function parseWebp(bytes: Uint8Array): WebpStill {
  if (bytes.length < 20) {
    throw new ImageError('corrupt_image', `WebP is truncated: ${bytes.length} bytes, too short for its header`);
  }
  const riffSize = u32(bytes, 4);
  if (riffSize < 12) throw corrupt(`RIFF size ${riffSize} is too small`);
  if (riffSize > bytes.length - 8) {
    throw new ImageError(
      'corrupt_image',
      `WebP is truncated: RIFF says ${riffSize + 8} bytes, the file has ${bytes.length}`,
    );
  }
  const end = 8 + riffSize;
  let at = 12;
  let canvas: { width: number; height: number } | null = null;
  let alpha: Uint8Array | null = null;
  while (at + 8 <= end) {
    const type = fourcc(bytes, at);
    const size = u32(bytes, at + 4);
    const start = at + 8;
    if (size > end - start) throw corrupt(`chunk ${JSON.stringify(type)} claims ${size} bytes, ${end - start} remain`);
    const data = bytes.subarray(start, start + size);
    at = start + size + (size & 1);
    switch (type) {
      case 'VP8X':
        if (start !== 20 || size < 10) throw corrupt('VP8X must be the first chunk and 10 bytes long');
        if (data[0]! & ANIMATION_FLAG) throw animated();
        canvas = { width: u24(data, 4) + 1, height: u24(data, 7) + 1 };
        break;
      case 'ANIM':
      case 'ANMF':
        throw animated();
      case 'ALPH':
        if (canvas) alpha ??= data;
        break;
      case 'VP8 ':
      case 'VP8L': {
        const kind = type === 'VP8L' ? 'lossless' : 'lossy';
        const picture = kind === 'lossless' ? readLosslessHeader(data) : readLossyHeader(data);
        if (canvas && (canvas.width !== picture.width || canvas.height !== picture.height)) {
          const sizes = `${canvas.width}×${canvas.height} but the picture ${picture.width}×${picture.height}`;
          throw corrupt(`the canvas is ${sizes}`);
        }
        const { width, height } = picture;
        return { width, height, kind, bitstream: data, alpha: kind === 'lossy' ? alpha : null };
      }
      default:
        if (!canvas) throw corrupt(`chunk ${JSON.stringify(type)} before the picture in a simple-format file`);
    }
  }
  throw corrupt('no VP8 or VP8L picture chunk');
}
