// One PNG scanline: undo its filter (PNG spec §9) against the previous one, then turn its samples into
// 8-bit gray or RGB: palette → its colours; 1/2/4-bit gray → floor(v · 255 / max); 16-bit → floor((v + 128) / 257);
// alpha (palette tRNS included) → composited over white. A tRNS colour key on a non-palette image is
// ignored: such files are rare and the key colour is still a real colour.
import { compositeOverWhite } from '../alpha.ts';
import { ImageError } from '../errors.ts';

export interface PngFormat {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  /** Palette as RGBA (alpha 255 where tRNS gives none); null for non-palette images. */
  palette: Uint8Array | null;
}

const SAMPLES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

export function checkFormat(colorType: number, bitDepth: number): void {
  if (!VALID_DEPTHS[colorType]?.includes(bitDepth)) {
    throw new ImageError(
      'corrupt_image',
      `PNG declares colour type ${colorType} with bit depth ${bitDepth}, which the format does not allow`,
    );
  }
}

export function outputChannels(format: PngFormat): 1 | 3 {
  return format.colorType === 0 || format.colorType === 4 ? 1 : 3;
}

/** Bytes of one filtered scanline of `width` pixels, without its filter-type byte. */
export function scanlineBytes(format: Pick<PngFormat, 'colorType' | 'bitDepth'>, width: number): number {
  return Math.ceil((width * SAMPLES_PER_PIXEL[format.colorType]! * format.bitDepth) / 8);
}

/** Bytes per complete pixel, at least 1: the distance the Sub/Average/Paeth filters look back. */
export function filterStep(format: PngFormat): number {
  return Math.max(1, (SAMPLES_PER_PIXEL[format.colorType]! * format.bitDepth) >> 3);
}

/** Reverses the filter of `line` (filter byte first) in place, given the previous unfiltered line. */
export function unfilter(line: Uint8Array, previous: Uint8Array, step: number): void {
  const filter = line[0];
  const n = line.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = 1 + step; i < n; i++) line[i] = (line[i]! + line[i - step]!) & 0xff;
      return;
    case 2:
      for (let i = 1; i < n; i++) line[i] = (line[i]! + previous[i]!) & 0xff;
      return;
    case 3:
      for (let i = 1; i < n; i++) {
        const left = i > step ? line[i - step]! : 0;
        line[i] = (line[i]! + ((left + previous[i]!) >> 1)) & 0xff;
      }
      return;
    case 4:
      for (let i = 1; i < n; i++) {
        const a = i > step ? line[i - step]! : 0;
        const b = previous[i]!;
        const c = i > step ? previous[i - step]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        line[i] = (line[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      return;
    default:
      throw new ImageError('corrupt_image', `PNG is corrupt: scanline filter type ${filter}`);
  }
}

function sample(line: Uint8Array, index: number, depth: number): number {
  if (depth === 8) return line[1 + index]!;
  if (depth === 16) return Math.floor((((line[1 + 2 * index]! << 8) | line[2 + 2 * index]!) + 128) / 257);
  const bit = index * depth;
  return (line[1 + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}

/** An unfiltered scanline (filter byte first) of `width` pixels → `out` (width × 1 or 3 bytes). */
export function toOutputRow(format: PngFormat, line: Uint8Array, width: number, out: Uint8Array): void {
  const { colorType, bitDepth: depth, palette } = format;
  if (colorType === 3) {
    const entries = palette!.length / 4;
    for (let x = 0; x < width; x++) {
      const index = sample(line, x, depth);
      const o = x * 3;
      if (index >= entries) {
        out[o] = out[o + 1] = out[o + 2] = 0;
        continue;
      }
      const a = palette![index * 4 + 3]!;
      for (let k = 0; k < 3; k++) {
        const c = palette![index * 4 + k]!;
        out[o + k] = a === 255 ? c : compositeOverWhite(c, a);
      }
    }
    return;
  }
  if (colorType === 0) {
    if (depth === 8) out.set(line.subarray(1, 1 + width));
    else if (depth === 16) for (let x = 0; x < width; x++) out[x] = sample(line, x, depth);
    else {
      const max = (1 << depth) - 1;
      for (let x = 0; x < width; x++) out[x] = Math.floor((sample(line, x, depth) * 255) / max);
    }
    return;
  }
  const samples = SAMPLES_PER_PIXEL[colorType]!;
  const colour = colorType === 4 ? 1 : 3;
  if (depth === 8) {
    toOutputRow8(line, width, samples, colour, out);
    return;
  }
  for (let x = 0; x < width; x++) {
    const alpha = samples > colour ? sample(line, x * samples + colour, depth) : 255;
    for (let k = 0; k < colour; k++) {
      const c = sample(line, x * samples + k, depth);
      out[x * colour + k] = samples > colour ? compositeOverWhite(c, alpha) : c;
    }
  }
}

/** toOutputRow's 8-bit RGB, gray + alpha and RGBA: the samples as they are, without a call per sample (the
 * hottest loop of a photo PNG once inflating is in wasm). Alpha 255 leaves a colour as it is, as
 * compositeOverWhite would. */
function toOutputRow8(line: Uint8Array, width: number, samples: number, colour: number, out: Uint8Array): void {
  if (samples === colour) {
    out.set(line.subarray(1, 1 + width * colour));
    return;
  }
  for (let x = 0, i = 1, o = 0; x < width; x++, i += samples, o += colour) {
    const alpha = line[i + colour]!;
    if (alpha === 255) for (let k = 0; k < colour; k++) out[o + k] = line[i + k]!;
    else for (let k = 0; k < colour; k++) out[o + k] = compositeOverWhite(line[i + k]!, alpha);
  }
}

/** Bytes of a non-interlaced PNG's inflated image data (filter bytes included): what decoding it must produce. */
export function imageDataBytes(header: Pick<PngFormat, 'width' | 'height' | 'colorType' | 'bitDepth'>): number {
  return header.height * (1 + scanlineBytes(header, header.width));
}
