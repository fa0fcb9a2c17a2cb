// VP8L lossless bitstream → ARGB rows (RFC 9649). Backward references reach at most MAX_DISTANCE pixels
// back in the coded (not yet transformed) picture, so the main image is decoded into a ring of coded rows
// just larger than that window, and each row is handed on, transforms undone, once complete: a lossless
// picture costs ≈ 4 MiB plus a few rows and its transform and entropy sub-images (at most one 4-byte entry
// per 4×4 block each), whatever its size. Every buffer and prefix-code table is charged to the MemoryBudget
// before it exists.
import type { MemoryBudget } from '../../budget.ts';
import { ImageError } from '../../errors.ts';
import { LosslessBitReader } from './bit-reader.ts';
import { PrefixCode, readPrefixCode } from './prefix-code.ts';
import {
  addPixels,
  fullPalette,
  undoColorIndexingRow,
  undoColorTransformRow,
  undoPredictorRow,
  undoSubtractGreenRow,
} from './transforms.ts';

const SIGNATURE = 0x2f;
const LITERALS = 256;
const LENGTH_CODES = 24;
const DISTANCE_CODES = 40;
const MAX_CACHE_BITS = 11;
const CACHE_MULTIPLIER = 0x1e35a7bd;
const GROUP_OVERHEAD = 1024;
/** The farthest a backward reference reaches: distance code 2^20 less the 120 short codes (§4.2.2). */
const MAX_DISTANCE = (1 << 20) - 120;
/** The longest backward reference: length prefix code 23 (§4.2.2). */
const MAX_LENGTH = 4096;

/**
 * Coded rows the ring keeps: every pixel a reference can reach (MAX_DISTANCE back; a short "plane" code
 * reaches at most 7 rows + 8 pixels, below that for any width ≤ 16384), plus what one symbol writes before
 * finished rows are handed on (MAX_LENGTH pixels) and the unfinished row (whose pixels may still have to
 * enter the colour cache): nothing still needed is overwritten.
 */
function ringRows(width: number, height: number): number {
  return Math.min(height, Math.ceil((MAX_DISTANCE + MAX_LENGTH) / width) + 2);
}

/** A complete coded row: `ring[at..at + width)`, valid until the decoder continues. */
type CodedRowSink = (ring: Uint32Array, at: number, y: number) => void;
/** A finished ARGB row (`width` pixels from index 0), valid until the next call. */
export type ArgbRowSink = (argb: Uint32Array, y: number) => void;

/** (dy << 4) | (8 − dx) for the 120 short distance codes (§4.2.2), nearest neighbours first. */
const PLANE_CODES = new Uint8Array([
  0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36,
  0x3a, 0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45, 0x4b, 0x34,
  0x3c, 0x03, 0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67,
  0x69, 0x12, 0x1e, 0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e, 0x78, 0x01, 0x77, 0x79,
  0x53, 0x5d, 0x11, 0x1f, 0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b, 0x31, 0x3f, 0x63, 0x6d, 0x52,
  0x5e, 0x00, 0x74, 0x7c, 0x41, 0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d, 0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61,
  0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70,
]);

function corrupt(message: string): ImageError {
  return new ImageError('corrupt_image', `WebP lossless data is corrupt: ${message}`);
}

interface Group {
  green: PrefixCode;
  red: PrefixCode;
  blue: PrefixCode;
  alpha: PrefixCode;
  distance: PrefixCode;
}

class Decoder {
  private held = 0;

  constructor(
    private readonly br: LosslessBitReader,
    private readonly budget: MemoryBudget,
  ) {}

  private pixels(count: number, what: string): Uint32Array {
    this.budget.charge(count * 4, what);
    return new Uint32Array(count);
  }

  private free(buffer: Uint32Array): void {
    this.budget.free(buffer);
  }

  private readGroup(cacheSize: number): Group {
    const br = this.br;
    const group = {
      green: readPrefixCode(br, LITERALS + LENGTH_CODES + cacheSize),
      red: readPrefixCode(br, LITERALS),
      blue: readPrefixCode(br, LITERALS),
      alpha: readPrefixCode(br, LITERALS),
      distance: readPrefixCode(br, DISTANCE_CODES),
    };
    // The tables plus what the five objects cost the engine, so 65,536 tiny groups are counted too.
    const { green, red, blue, alpha, distance } = group;
    const bytes = GROUP_OVERHEAD + green.bytes + red.bytes + blue.bytes + alpha.bytes + distance.bytes;
    this.budget.charge(bytes, 'WebP lossless prefix codes');
    this.held += bytes;
    return group;
  }

  private prefixValue(symbol: number): number {
    if (symbol < 4) return symbol + 1;
    const extra = (symbol - 2) >> 1;
    return ((2 + (symbol & 1)) << extra) + this.br.read(extra) + 1;
  }

  /**
   * One entropy-coded image (§5): the main image when `onRow` is given — kept as a ring of ringRows() rows,
   * each handed to `onRow` once complete — else a transform's or the entropy sub-image, returned whole.
   */
  decodeStream(width: number, height: number, onRow?: CodedRowSink): Uint32Array {
    const main = onRow !== undefined;
    const br = this.br;
    let cacheBits = 0;
    if (br.read(1)) {
      cacheBits = br.read(4);
      if (cacheBits < 1 || cacheBits > MAX_CACHE_BITS) {
        corruptThrow(`colour cache of ${cacheBits} bits (1..11 allowed)`);
      }
    }
    const cacheSize = cacheBits > 0 ? 1 << cacheBits : 0;
    let groupBits = 0;
    let groupsWide = 0;
    let groupOf: Uint32Array | null = null;
    let groupCount = 1;
    if (main && br.read(1)) {
      groupBits = br.read(3) + 2;
      groupsWide = Math.ceil(width / (1 << groupBits));
      const entropy = this.decodeStream(groupsWide, Math.ceil(height / (1 << groupBits)));
      for (let i = 0; i < entropy.length; i++) {
        entropy[i] = (entropy[i]! >>> 8) & 0xffff;
        if (entropy[i]! + 1 > groupCount) groupCount = entropy[i]! + 1;
      }
      groupOf = entropy;
    }
    const groups: Group[] = [];
    for (let i = 0; i < groupCount; i++) groups.push(this.readGroup(cacheSize));

    const rows = main ? ringRows(width, height) : height;
    const capacity = rows * width;
    const out = this.pixels(capacity, main ? 'WebP lossless coded rows' : 'WebP lossless sub-image');
    const cache = cacheSize > 0 ? new Uint32Array(cacheSize) : null;
    const cacheShift = 32 - cacheBits;
    const total = width * height;
    const mask = (1 << groupBits) - 1;
    let group = groups[0]!;
    let x = 0;
    let y = 0;
    let pos = 0; // pixels decoded
    let at = 0; // pos modulo capacity: where pixel `pos` lives
    // Every pixel enters the cache in order: lazily, just before the next cache read, and when a row is
    // handed on (so the pixels still to enter never leave the ring first).
    let cached = 0;
    let cachedAt = 0;
    let done = 0; // rows handed to onRow
    let doneEnd = width; // pos at which row `done` is complete
    let doneAt = 0; // its offset in the ring
    const catchUpCache = (): void => {
      for (; cached < pos; cached++) {
        const px = out[cachedAt]!;
        cache![Math.imul(px, CACHE_MULTIPLIER) >>> cacheShift] = px;
        if (++cachedAt === capacity) cachedAt = 0;
      }
    };
    while (pos < total) {
      if (groupOf !== null && (x & mask) === 0) {
        group = groups[groupOf[(y >> groupBits) * groupsWide + (x >> groupBits)]!]!;
      }
      const green = group.green.read(br);
      if (green < LITERALS) {
        const red = group.red.read(br);
        const blue = group.blue.read(br);
        const alpha = group.alpha.read(br);
        out[at] = ((alpha << 24) | (red << 16) | (green << 8) | blue) >>> 0;
        pos++;
        if (++at === capacity) at = 0;
        if (++x === width) {
          x = 0;
          y++;
        }
      } else if (green < LITERALS + LENGTH_CODES) {
        const length = this.prefixValue(green - LITERALS);
        const distanceCode = this.prefixValue(group.distance.read(br));
        let distance: number;
        if (distanceCode > 120) distance = distanceCode - 120;
        else {
          const plane = PLANE_CODES[distanceCode - 1]!;
          distance = (plane >> 4) * width + 8 - (plane & 0xf);
          if (distance < 1) distance = 1;
        }
        if (distance > pos) corruptThrow(`a backward reference reaches ${distance} pixels back from pixel ${pos}`);
        if (length > total - pos) corruptThrow(`a backward reference copies ${length} pixels past the image's end`);
        let from = at - distance;
        if (from < 0) from += capacity;
        if (distance >= length && from + length <= capacity && at + length <= capacity) {
          out.copyWithin(at, from, from + length);
          at += length;
          if (at === capacity) at = 0;
        } else {
          // Overlapping (a run), or across the ring's end: pixel by pixel.
          for (let k = 0; k < length; k++) {
            out[at] = out[from]!;
            if (++at === capacity) at = 0;
            if (++from === capacity) from = 0;
          }
        }
        pos += length;
        x += length;
        while (x >= width) {
          x -= width;
          y++;
        }
        if (groupOf && pos < total) group = groups[groupOf[(y >> groupBits) * groupsWide + (x >> groupBits)]!]!;
      } else {
        const index = green - LITERALS - LENGTH_CODES;
        if (!cache || index >= cacheSize) corruptThrow(`colour-cache symbol ${index} without such an entry`);
        catchUpCache();
        out[at] = cache![index]!;
        pos++;
        if (++at === capacity) at = 0;
        if (++x === width) {
          x = 0;
          y++;
        }
      }
      if (onRow) {
        while (pos >= doneEnd) {
          if (cache) catchUpCache();
          onRow(out, doneAt, done);
          done++;
          doneEnd += width;
          doneAt += width;
          if (doneAt === capacity) doneAt = 0;
        }
      }
    }
    if (groupOf) this.free(groupOf);
    return out;
  }

  releaseCodes(): void {
    this.budget.release(this.held);
    this.held = 0;
  }

  /**
   * Transforms, then the main image (§4), each coded row handed on with the transforms undone in reverse
   * order as soon as it is complete.
   */
  decodeImage(width: number, height: number, onRow: ArgbRowSink): void {
    const br = this.br;
    type Step =
      | { kind: 0 | 1; bits: number; data: Uint32Array; width: number }
      | { kind: 2; width: number }
      | { kind: 3; bits: number; palette: Uint32Array; width: number };
    const steps: Step[] = [];
    const seen = new Set<number>();
    let codedWidth = width;
    while (br.read(1)) {
      const kind = br.read(2);
      if (seen.has(kind)) corruptThrow(`transform ${kind} appears twice`);
      seen.add(kind);
      if (kind === 0 || kind === 1) {
        const bits = br.read(3) + 2;
        const data = this.decodeStream(Math.ceil(codedWidth / (1 << bits)), Math.ceil(height / (1 << bits)));
        steps.push({ kind, bits, data, width: codedWidth });
      } else if (kind === 2) {
        steps.push({ kind, width: codedWidth });
      } else {
        const colours = br.read(8) + 1;
        const palette = this.decodeStream(colours, 1);
        for (let i = 1; i < colours; i++) palette[i] = addPixels(palette[i]!, palette[i - 1]!);
        const bits = colours > 16 ? 0 : colours > 4 ? 1 : colours > 2 ? 2 : 3;
        this.free(palette);
        steps.push({ kind: 3, bits, palette: this.charged(fullPalette(palette)), width: codedWidth });
        codedWidth = Math.ceil(codedWidth / (1 << bits));
      }
    }
    // Two work rows (a packed palette row expands from one into the other) and, for the predictor, the row
    // above with that transform undone.
    let row = this.pixels(width, 'WebP lossless row');
    let spare = this.pixels(width, 'WebP lossless row');
    const above = seen.has(0) ? this.pixels(width, 'WebP lossless row') : null;
    const ring = this.decodeStream(codedWidth, height, (coded, at, y) => {
      row.set(coded.subarray(at, at + codedWidth)); // the ring keeps the residuals later references copy
      for (let i = steps.length - 1; i >= 0; i--) {
        const step = steps[i]!;
        if (step.kind === 0) {
          undoPredictorRow(row, y === 0 ? null : above, step.width, y, step.bits, step.data);
          above!.set(row.subarray(0, step.width));
        } else if (step.kind === 1) {
          undoColorTransformRow(row, step.width, y, step.bits, step.data);
        } else if (step.kind === 2) {
          undoSubtractGreenRow(row, step.width);
        } else if (step.kind === 3 && step.bits === 0) {
          undoColorIndexingRow(row, row, step.width, 0, step.palette);
        } else if (step.kind === 3) {
          undoColorIndexingRow(row, spare, step.width, step.bits, step.palette);
          [row, spare] = [spare, row];
        }
      }
      onRow(row, y);
    });
    this.releaseCodes();
    this.free(ring);
    this.free(row);
    this.free(spare);
    if (above) this.free(above);
    for (const step of steps) {
      if (step.kind === 0 || step.kind === 1) this.free(step.data);
      else if (step.kind === 3) this.free(step.palette);
    }
  }

  /** Charges an array made elsewhere. */
  private charged(buffer: Uint32Array): Uint32Array {
    this.budget.charge(buffer.byteLength, 'WebP lossless palette');
    return buffer;
  }
}

function corruptThrow(message: string): never {
  throw corrupt(message);
}

export interface LosslessHeader {
  width: number;
  height: number;
  alphaUsed: boolean;
}

/** The 5-byte VP8L header: signature 0x2f, 14-bit width − 1, 14-bit height − 1, alpha hint, 3-bit version 0. */
export function readLosslessHeader(data: Uint8Array): LosslessHeader {
  if (data.length < 5) {
    throw new ImageError(
      'corrupt_image',
      `WebP lossless data is truncated: ${data.length} bytes, too short for its header`,
    );
  }
  if (data[0] !== SIGNATURE) throw corrupt(`signature byte 0x${data[0]!.toString(16)} is not 0x2f`);
  const bits = (data[1]! | (data[2]! << 8) | (data[3]! << 16) | (data[4]! << 24)) >>> 0;
  const version = bits >>> 29;
  if (version !== 0) throw corrupt(`version ${version} (only 0 exists)`);
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alphaUsed: ((bits >>> 28) & 1) === 1 };
}

/** A whole VP8L chunk (header included) → its ARGB rows, top to bottom; returns the picture's size. */
export function decodeLosslessRows(
  data: Uint8Array,
  budget: MemoryBudget,
  onRow: ArgbRowSink,
): { width: number; height: number } {
  const { width, height } = readLosslessHeader(data);
  new Decoder(new LosslessBitReader(data, 5), budget).decodeImage(width, height, onRow);
  return { width, height };
}

/**
 * A header-less VP8L stream of a known size (the ALPH chunk's compressed alpha) → its green channel, where
 * the alpha values are: one byte a pixel, charged to the budget (the caller frees it).
 */
export function decodeLosslessGreen(data: Uint8Array, width: number, height: number, budget: MemoryBudget): Uint8Array {
  const green = budget.u8(width * height, 'WebP alpha plane');
  const decoder = new Decoder(new LosslessBitReader(data, 0, 'WebP alpha data'), budget);
  decoder.decodeImage(width, height, (argb, y) => {
    for (let x = 0, o = y * width; x < width; x++, o++) green[o] = (argb[x]! >>> 8) & 0xff;
  });
  return green;
}
