// The key frame header (RFC 6386 §9, §19.2): the frame tag and picture size, then — read with the boolean
// decoder from the first partition — segmentation, loop filter, the DCT partitions' sizes, quantizers and
// the token probabilities. Every size is checked against the bytes there are.
import { ImageError } from '../../errors.ts';
import { BoolDecoder } from './bool-decoder.ts';
import { AC_QUANT, COEFF_PROBS_DEFAULT, COEFF_UPDATE_PROBS, DC_QUANT } from './tables.ts';

export interface Quantizers {
  y1: [dc: number, ac: number];
  y2: [dc: number, ac: number];
  uv: [dc: number, ac: number];
}

export interface FilterStrength {
  /** 0: this macroblock is not filtered. Else the edge limit of inner edges (2·level + interior). */
  limit: number;
  interior: number;
  hevThreshold: number;
}

export interface FrameHeader {
  width: number;
  height: number;
  mbWide: number;
  mbHigh: number;
  /** The first partition's decoder, positioned at the per-macroblock modes. */
  modes: BoolDecoder;
  partitions: BoolDecoder[];
  /** 0 = none, 1 = simple, 2 = normal. */
  filterType: 0 | 1 | 2;
  /** [segment][is 4×4 ? 1 : 0]. */
  filters: FilterStrength[][];
  updateSegmentMap: boolean;
  segmentProbs: Uint8Array;
  quantizers: Quantizers[];
  coeffProbs: Uint8Array;
  /** The probability that a macroblock has no coefficients, or −1 when the skip flag is not coded. */
  skipProb: number;
}

function corrupt(message: string): ImageError {
  return new ImageError('corrupt_image', `WebP lossy data is corrupt: ${message}`);
}

const clip = (v: number, max: number): number => (v < 0 ? 0 : v > max ? max : v);

function readQuantizers(br: BoolDecoder, segmentQ: number[] | null, absolute: boolean): Quantizers[] {
  const base = br.literal(7);
  const y1dc = br.optionalSigned(4);
  const y2dc = br.optionalSigned(4);
  const y2ac = br.optionalSigned(4);
  const uvdc = br.optionalSigned(4);
  const uvac = br.optionalSigned(4);
  const out: Quantizers[] = [];
  for (let s = 0; s < 4; s++) {
    const q = segmentQ ? segmentQ[s]! + (absolute ? 0 : base) : base;
    const y2acStep = Math.max(8, (AC_QUANT[clip(q + y2ac, 127)]! * 101581) >> 16); // ×155/100, at least 8
    out.push({
      y1: [DC_QUANT[clip(q + y1dc, 127)]!, AC_QUANT[clip(q, 127)]!],
      y2: [DC_QUANT[clip(q + y2dc, 127)]! * 2, y2acStep],
      uv: [DC_QUANT[clip(q + uvdc, 117)]!, AC_QUANT[clip(q + uvac, 127)]!],
    });
  }
  return out;
}

function filterStrengths(
  filterType: number,
  level: number,
  sharpness: number,
  segmentLevels: number[] | null,
  absolute: boolean,
  refDelta: number,
  modeDelta: number,
): FilterStrength[][] {
  const out: FilterStrength[][] = [];
  for (let s = 0; s < 4; s++) {
    const base = segmentLevels ? segmentLevels[s]! + (absolute ? 0 : level) : level;
    const pair: FilterStrength[] = [];
    for (let i4x4 = 0; i4x4 <= 1; i4x4++) {
      const lvl = clip(base + refDelta + (i4x4 ? modeDelta : 0), 63);
      if (filterType === 0 || lvl === 0) {
        pair.push({ limit: 0, interior: 0, hevThreshold: 0 });
        continue;
      }
      let interior = lvl;
      if (sharpness > 0) {
        interior >>= sharpness > 4 ? 2 : 1;
        if (interior > 9 - sharpness) interior = 9 - sharpness;
      }
      if (interior < 1) interior = 1;
      pair.push({ limit: 2 * lvl + interior, interior, hevThreshold: lvl >= 40 ? 2 : lvl >= 15 ? 1 : 0 });
    }
    out.push(pair);
  }
  return out;
}

export function readFrameHeader(frame: Uint8Array): FrameHeader {
  if (frame.length < 10) throw new ImageError('corrupt_image', `WebP lossy data is truncated: ${frame.length} bytes`);
  const tag = frame[0]! | (frame[1]! << 8) | (frame[2]! << 16);
  if (tag & 1) throw corrupt('not a key frame');
  if (((tag >> 1) & 7) > 3) throw corrupt(`profile ${(tag >> 1) & 7} (0..3 exist)`);
  if (!((tag >> 4) & 1)) throw corrupt('the frame is marked invisible');
  const firstSize = tag >>> 5;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) throw corrupt('missing start code');
  const width = (frame[6]! | (frame[7]! << 8)) & 0x3fff;
  const height = (frame[8]! | (frame[9]! << 8)) & 0x3fff;
  if (width === 0 || height === 0) throw corrupt(`a ${width}×${height} picture`);
  const firstStart = 10;
  if (firstSize > frame.length - firstStart) {
    throw new ImageError(
      'corrupt_image',
      `WebP lossy data is truncated: its first partition claims ${firstSize} bytes, ` +
        `${frame.length - firstStart} remain`,
    );
  }
  const br = new BoolDecoder(frame, firstStart, firstStart + firstSize);
  br.literal(1); // colour space: 0 is the only one defined, and it changes nothing for decoding
  br.literal(1); // clamping type: pixels are always clamped here

  const segmentation = br.bit(128) === 1;
  let updateSegmentMap = false;
  let absolute = true;
  let segmentQ: number[] | null = null;
  let segmentLevels: number[] | null = null;
  const segmentProbs = new Uint8Array([255, 255, 255]);
  if (segmentation) {
    updateSegmentMap = br.bit(128) === 1;
    segmentQ = [0, 0, 0, 0];
    segmentLevels = [0, 0, 0, 0];
    if (br.bit(128)) {
      absolute = br.bit(128) === 1;
      for (let s = 0; s < 4; s++) segmentQ[s] = br.optionalSigned(7);
      for (let s = 0; s < 4; s++) segmentLevels[s] = br.optionalSigned(6);
    }
    if (updateSegmentMap) for (let s = 0; s < 3; s++) segmentProbs[s] = br.bit(128) ? br.literal(8) : 255;
  }

  const simple = br.bit(128) === 1;
  const level = br.literal(6);
  const sharpness = br.literal(3);
  let refDelta = 0;
  let modeDelta = 0;
  if (br.bit(128) && br.bit(128)) {
    // Key frames use only the intra-frame reference delta and the B_PRED mode delta.
    const ref = [0, 0, 0, 0];
    const mode = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) ref[i] = br.optionalSigned(6);
    for (let i = 0; i < 4; i++) mode[i] = br.optionalSigned(6);
    refDelta = ref[0]!;
    modeDelta = mode[0]!;
  }
  const filterType = level === 0 ? 0 : simple ? 1 : 2;

  const partitionCount = 1 << br.literal(2);
  let at = firstStart + firstSize;
  const sizesAt = at;
  at += 3 * (partitionCount - 1);
  if (at > frame.length) {
    throw new ImageError('corrupt_image', 'WebP lossy data is truncated inside its partition table');
  }
  const partitions: BoolDecoder[] = [];
  for (let p = 0; p < partitionCount; p++) {
    let size: number;
    if (p < partitionCount - 1) {
      const s = sizesAt + 3 * p;
      size = frame[s]! | (frame[s + 1]! << 8) | (frame[s + 2]! << 16);
      if (size > frame.length - at) {
        throw new ImageError(
          'corrupt_image',
          `WebP lossy data is truncated: DCT partition ${p} claims ${size} bytes, ${frame.length - at} remain`,
        );
      }
    } else {
      size = frame.length - at;
      if (size <= 0) {
        throw new ImageError('corrupt_image', 'WebP lossy data is truncated: its last DCT partition is empty');
      }
    }
    partitions.push(new BoolDecoder(frame, at, at + size));
    at += size;
  }

  const quantizers = readQuantizers(br, segmentQ, absolute);
  br.literal(1); // refresh_entropy_probs: meaningless for a single key frame
  const coeffProbs = COEFF_PROBS_DEFAULT.slice();
  for (let i = 0; i < coeffProbs.length; i++) if (br.bit(COEFF_UPDATE_PROBS[i]!)) coeffProbs[i] = br.literal(8);
  const skipProb = br.bit(128) ? br.literal(8) : -1;
  if (br.eof) throw new ImageError('corrupt_image', 'WebP lossy data is truncated inside its frame header');

  return {
    width,
    height,
    mbWide: (width + 15) >> 4,
    mbHigh: (height + 15) >> 4,
    modes: br,
    partitions,
    filterType,
    filters: filterStrengths(filterType, level, sharpness, segmentLevels, absolute, refDelta, modeDelta),
    updateSegmentMap,
    segmentProbs,
    quantizers,
    coeffProbs,
    skipProb,
  };
}
