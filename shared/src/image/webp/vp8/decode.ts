// VP8 key frame → Y′CbCr rows (RFC 6386), one macroblock row at a time, so memory follows the width, not
// the area. Per row: modes (first partition) and tokens (its DCT partition) per macroblock, prediction from
// the unfiltered neighbours plus the inverse transforms in a small work buffer, then the loop filter over
// the row. Filtering a row's top edge changes up to 3 luma rows above it (and reads a 4th), so the band
// keeps the previous row's last 8 luma / 4 chroma rows and emits each row only once nothing can change it.
import type { MemoryBudget } from '../../budget.ts';
import { ImageError } from '../../errors.ts';
import { readFrameHeader, type FilterStrength } from './frame-header.ts';
import { inverseDcAdd, inverseDctAdd, inverseWalshHadamard } from './idct.ts';
import { WasmBand, webpFilterWasmModule } from './filter-wasm.ts';
import { filterMacroblock, type BandPlanes } from './loop-filter.ts';
import {
  B_DC,
  BPS as WORK_STRIDE,
  DC_NO_LEFT,
  DC_NO_TOP,
  DC_NO_TOP_LEFT,
  DC_PRED,
  H_PRED,
  predictBlock,
  predictSubblock,
  TM_PRED,
  V_PRED,
} from './predict.ts';
import { readCoefficients, TYPE_CHROMA, TYPE_Y2, TYPE_Y_AFTER_Y2, TYPE_Y_WITH_DC } from './residuals.ts';
import { BMODE_PROBS as BMODE_TABLE } from './tables.ts';

const BMODE_PROBS = BMODE_TABLE;

/** Luma row `y` with its (point-sampled) chroma rows, each `width` / ⌈width/2⌉ samples. */
export type YuvRowSink = (y: Uint8Array, u: Uint8Array, v: Uint8Array, row: number) => void;

const BPS = WORK_STRIDE;
const Y_OFF = BPS + 8;
const U_OFF = Y_OFF + 16 * BPS + BPS;
const V_OFF = U_OFF + 16;
const WORK_SIZE = BPS * 17 + BPS * 9;
const EXTRA_Y = 8;
const EXTRA_UV = 4;

const NONE = 0;
const DC_ONLY = 1;
const FULL = 2;

function truncated(where: string): ImageError {
  return new ImageError('corrupt_image', `WebP lossy data is truncated: ${where} ends before the picture does`);
}

/** DC prediction needs the variant that ignores a missing top row or left column. */
function edgeMode(mbx: number, mby: number, mode: number): number {
  if (mode !== DC_PRED) return mode;
  if (mbx === 0) return mby === 0 ? DC_NO_TOP_LEFT : DC_NO_LEFT;
  return mby === 0 ? DC_NO_TOP : DC_PRED;
}

/**
 * A short copy of n bytes (4, 8 or 16) as n/4 words, between Uint32Array views: every offset copied here —
 * work-buffer blocks, band columns (strides are multiples of 16), the above-row context — is a multiple of 4.
 */
function copy(from: Uint32Array, at: number, to: Uint32Array, dest: number, n: number): void {
  for (let i = 0, f = at >> 2, t = dest >> 2; i < n >> 2; i++) to[t + i] = from[f + i]!;
}

function addResidual(code: number, coeffs: Int16Array, c: number, buf: Uint8ClampedArray, at: number): void {
  if (code === FULL) inverseDctAdd(coeffs, c, buf, at);
  else if (code === DC_ONLY) inverseDcAdd(coeffs[c]!, buf, at);
}

export interface LossyOptions {
  /** The loop filter's module (webp-filter.wasm); null: loop-filter.ts. Default: the one installed. */
  filterWasm?: WebAssembly.Module | null;
}

export function decodeLossyRows(
  frame: Uint8Array,
  budget: MemoryBudget,
  onRow: YuvRowSink,
  options: LossyOptions = {},
): { width: number; height: number } {
  const h = readFrameHeader(frame);
  const { width, height, mbWide, mbHigh, modes, filterType } = h;
  const yStride = mbWide * 16;
  const uvStride = mbWide * 8;
  const uvWidth = (width + 1) >> 1;

  const yBandBytes = (EXTRA_Y + 16) * yStride;
  const uvBandBytes = (EXTRA_UV + 8) * uvStride;
  const module = options.filterWasm === undefined ? webpFilterWasmModule() : options.filterWasm;
  // With the wasm filter the band lives in its memory (charged there), so the filter works on it in place.
  const inWasm = module !== null && filterType !== 0;
  const bandBytes = inWasm ? 0 : yBandBytes + 2 * uvBandBytes;
  const contextBytes = mbWide * (16 + 8 + 8 + 4 + 4 + 2 + 2 + 1 + 8) + WORK_SIZE + 384 * 2 + 64;
  budget.charge(bandBytes + contextBytes, 'WebP lossy decoder rows');
  const wasmBand = inWasm
    ? new WasmBand(
        module,
        mbWide,
        yBandBytes,
        uvBandBytes,
        yStride,
        uvStride,
        EXTRA_Y * yStride,
        EXTRA_UV * uvStride,
        budget,
      )
    : null;
  const yBand = wasmBand ? wasmBand.y : new Uint8Array(yBandBytes);
  const uBand = wasmBand ? wasmBand.u : new Uint8Array(uvBandBytes);
  const vBand = wasmBand ? wasmBand.v : new Uint8Array(uvBandBytes);
  const words = (b: Uint8Array): Uint32Array => new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
  const yBand32 = words(yBand);
  const uBand32 = words(uBand);
  const vBand32 = words(vBand);
  const planes: BandPlanes = {
    y: yBand,
    u: uBand,
    v: vBand,
    yStride,
    uvStride,
    yRow: EXTRA_Y * yStride,
    uvRow: EXTRA_UV * uvStride,
  };

  // Above-row context, per macroblock column: unfiltered bottom samples, sub-block modes, non-zero flags.
  const topY = new Uint8Array(yStride);
  const topU = new Uint8Array(uvStride);
  const topV = new Uint8Array(uvStride);
  const topY32 = new Uint32Array(topY.buffer);
  const topU32 = new Uint32Array(topU.buffer);
  const topV32 = new Uint32Array(topV.buffer);
  const intraTop = new Uint8Array(mbWide * 4);
  const nzTopY = new Uint8Array(mbWide * 4);
  const nzTopU = new Uint8Array(mbWide * 2);
  const nzTopV = new Uint8Array(mbWide * 2);
  const nzTopDc = new Uint8Array(mbWide);
  const intraLeft = new Uint8Array(4);
  const nzLeftY = new Uint8Array(4);
  const nzLeftU = new Uint8Array(2);
  const nzLeftV = new Uint8Array(2);
  let nzLeftDc = 0;

  const rowFilters: (FilterStrength | null)[] = new Array<FilterStrength | null>(mbWide).fill(null);
  const rowInner = new Uint8Array(mbWide);
  const ws = new Uint8ClampedArray(WORK_SIZE);
  const ws32 = new Uint32Array(ws.buffer);
  const coeffs = new Int16Array(384);
  const y2 = new Int16Array(16);
  const codes = new Uint8Array(24);
  const subModes = new Uint8Array(16);
  const probs = h.coeffProbs;

  for (let mby = 0; mby < mbHigh; mby++) {
    const tokens = h.partitions[mby & (h.partitions.length - 1)]!;
    intraLeft.fill(B_DC);
    nzLeftY.fill(0);
    nzLeftU.fill(0);
    nzLeftV.fill(0);
    nzLeftDc = 0;
    // Borders of the row's first macroblock: 129 to the left; 127 above the picture's first row.
    for (let j = 0; j < 16; j++) ws[Y_OFF + j * BPS - 1] = 129;
    for (let j = 0; j < 8; j++) ws[U_OFF + j * BPS - 1] = ws[V_OFF + j * BPS - 1] = 129;
    if (mby > 0) {
      ws[Y_OFF - BPS - 1] = ws[U_OFF - BPS - 1] = ws[V_OFF - BPS - 1] = 129;
    } else {
      ws.fill(127, Y_OFF - BPS - 1, Y_OFF - BPS + 20);
      ws.fill(127, U_OFF - BPS - 1, U_OFF - BPS + 8);
      ws.fill(127, V_OFF - BPS - 1, V_OFF - BPS + 8);
    }

    for (let mbx = 0; mbx < mbWide; mbx++) {
      // --- modes (first partition)
      const segment = h.updateSegmentMap
        ? !modes.bit(h.segmentProbs[0]!)
          ? modes.bit(h.segmentProbs[1]!)
          : 2 + modes.bit(h.segmentProbs[2]!)
        : 0;
      const skip = h.skipProb >= 0 ? modes.bit(h.skipProb) : 0;
      const is4x4 = !modes.bit(145);
      let yMode = DC_PRED;
      if (!is4x4) {
        yMode = modes.bit(156) ? (modes.bit(128) ? TM_PRED : H_PRED) : modes.bit(163) ? V_PRED : DC_PRED;
        intraTop.fill(yMode, mbx * 4, mbx * 4 + 4); // the 16×16 modes share their numbers with B_DC..B_HE
        intraLeft.fill(yMode);
      } else {
        for (let by = 0; by < 4; by++) {
          let left = intraLeft[by]!;
          for (let bx = 0; bx < 4; bx++) {
            const p = (intraTop[mbx * 4 + bx]! * 10 + left) * 9;
            const m = !modes.bit(BMODE_PROBS[p]!)
              ? 0
              : !modes.bit(BMODE_PROBS[p + 1]!)
                ? 1
                : !modes.bit(BMODE_PROBS[p + 2]!)
                  ? 2
                  : !modes.bit(BMODE_PROBS[p + 3]!)
                    ? !modes.bit(BMODE_PROBS[p + 4]!)
                      ? 3
                      : !modes.bit(BMODE_PROBS[p + 5]!)
                        ? 4
                        : 5
                    : !modes.bit(BMODE_PROBS[p + 6]!)
                      ? 6
                      : !modes.bit(BMODE_PROBS[p + 7]!)
                        ? 7
                        : !modes.bit(BMODE_PROBS[p + 8]!)
                          ? 8
                          : 9;
            subModes[by * 4 + bx] = m;
            intraTop[mbx * 4 + bx] = m;
            left = m;
          }
          intraLeft[by] = left;
        }
      }
      const uvMode = !modes.bit(142) ? DC_PRED : !modes.bit(114) ? V_PRED : modes.bit(183) ? TM_PRED : H_PRED;

      // --- tokens (DCT partition)
      codes.fill(NONE);
      let anyNonZero = false;
      if (!skip) {
        coeffs.fill(0);
        const q = h.quantizers[segment]!;
        let first = 0;
        let type = TYPE_Y_WITH_DC;
        if (!is4x4) {
          y2.fill(0);
          const nz = readCoefficients(tokens, probs, TYPE_Y2, nzTopDc[mbx]! + nzLeftDc, q.y2[0], q.y2[1], 0, y2, 0);
          nzTopDc[mbx] = nzLeftDc = nz > 0 ? 1 : 0;
          inverseWalshHadamard(y2, 0, coeffs, 0);
          first = 1;
          type = TYPE_Y_AFTER_Y2;
        }
        for (let by = 0; by < 4; by++) {
          for (let bx = 0; bx < 4; bx++) {
            const n = by * 4 + bx;
            const ctx = nzLeftY[by]! + nzTopY[mbx * 4 + bx]!;
            const nz = readCoefficients(tokens, probs, type, ctx, q.y1[0], q.y1[1], first, coeffs, n * 16);
            nzLeftY[by] = nzTopY[mbx * 4 + bx] = nz > first ? 1 : 0;
            codes[n] = nz > 1 ? FULL : coeffs[n * 16] !== 0 ? DC_ONLY : NONE;
          }
        }
        for (let plane = 0; plane < 2; plane++) {
          const nzTop = plane === 0 ? nzTopU : nzTopV;
          const nzLeft = plane === 0 ? nzLeftU : nzLeftV;
          for (let by = 0; by < 2; by++) {
            for (let bx = 0; bx < 2; bx++) {
              const n = 16 + plane * 4 + by * 2 + bx;
              const ctx = nzLeft[by]! + nzTop[mbx * 2 + bx]!;
              const nz = readCoefficients(tokens, probs, TYPE_CHROMA, ctx, q.uv[0], q.uv[1], 0, coeffs, n * 16);
              nzLeft[by] = nzTop[mbx * 2 + bx] = nz > 0 ? 1 : 0;
              codes[n] = nz > 1 ? FULL : coeffs[n * 16] !== 0 ? DC_ONLY : NONE;
            }
          }
        }
        for (let n = 0; n < 24; n++) if (codes[n] !== NONE) anyNonZero = true;
      } else {
        nzTopY.fill(0, mbx * 4, mbx * 4 + 4);
        nzLeftY.fill(0);
        nzTopU.fill(0, mbx * 2, mbx * 2 + 2);
        nzTopV.fill(0, mbx * 2, mbx * 2 + 2);
        nzLeftU.fill(0);
        nzLeftV.fill(0);
        if (!is4x4) nzTopDc[mbx] = nzLeftDc = 0;
      }
      if (tokens.eof) throw truncated(`DCT partition ${mby & (h.partitions.length - 1)}`);
      rowFilters[mbx] = h.filters[segment]![is4x4 ? 1 : 0]!;
      rowInner[mbx] = is4x4 || anyNonZero ? 1 : 0;

      // --- reconstruction in the work buffer
      if (mbx > 0) {
        for (let j = -1; j < 16; j++) copy(ws32, Y_OFF + j * BPS + 12, ws32, Y_OFF + j * BPS - 4, 4);
        for (let j = -1; j < 8; j++) {
          copy(ws32, U_OFF + j * BPS + 4, ws32, U_OFF + j * BPS - 4, 4);
          copy(ws32, V_OFF + j * BPS + 4, ws32, V_OFF + j * BPS - 4, 4);
        }
      }
      if (mby > 0) {
        copy(topY32, mbx * 16, ws32, Y_OFF - BPS, 16);
        copy(topU32, mbx * 8, ws32, U_OFF - BPS, 8);
        copy(topV32, mbx * 8, ws32, V_OFF - BPS, 8);
      }
      if (is4x4) {
        const topRight = Y_OFF - BPS + 16;
        if (mby > 0) {
          if (mbx >= mbWide - 1) ws.fill(topY[mbx * 16 + 15]!, topRight, topRight + 4);
          else copy(topY32, mbx * 16 + 16, ws32, topRight, 4);
        }
        // Sub-blocks on the right edge below the first row see the macroblock's above-right samples.
        for (let r = 4; r < 16; r += 4) copy(ws32, topRight, ws32, topRight + r * BPS, 4);
        for (let n = 0; n < 16; n++) {
          const at = Y_OFF + (n >> 2) * 4 * BPS + (n & 3) * 4;
          predictSubblock(ws, ws32, at, subModes[n]!);
          addResidual(codes[n]!, coeffs, n * 16, ws, at);
        }
      } else {
        predictBlock(ws, ws32, Y_OFF, 16, edgeMode(mbx, mby, yMode));
        for (let n = 0; n < 16; n++) {
          addResidual(codes[n]!, coeffs, n * 16, ws, Y_OFF + (n >> 2) * 4 * BPS + (n & 3) * 4);
        }
      }
      const chromaMode = edgeMode(mbx, mby, uvMode);
      predictBlock(ws, ws32, U_OFF, 8, chromaMode);
      predictBlock(ws, ws32, V_OFF, 8, chromaMode);
      for (let n = 0; n < 4; n++) {
        const offset = (n >> 1) * 4 * BPS + (n & 1) * 4;
        addResidual(codes[16 + n]!, coeffs, (16 + n) * 16, ws, U_OFF + offset);
        addResidual(codes[20 + n]!, coeffs, (20 + n) * 16, ws, V_OFF + offset);
      }
      if (mby < mbHigh - 1) {
        copy(ws32, Y_OFF + 15 * BPS, topY32, mbx * 16, 16);
        copy(ws32, U_OFF + 7 * BPS, topU32, mbx * 8, 8);
        copy(ws32, V_OFF + 7 * BPS, topV32, mbx * 8, 8);
      }
      for (let j = 0; j < 16; j++) copy(ws32, Y_OFF + j * BPS, yBand32, (EXTRA_Y + j) * yStride + mbx * 16, 16);
      for (let j = 0; j < 8; j++) {
        copy(ws32, U_OFF + j * BPS, uBand32, (EXTRA_UV + j) * uvStride + mbx * 8, 8);
        copy(ws32, V_OFF + j * BPS, vBand32, (EXTRA_UV + j) * uvStride + mbx * 8, 8);
      }
    }
    if (modes.eof) throw truncated('the first partition (modes)');

    if (wasmBand) {
      for (let mbx = 0; mbx < mbWide; mbx++) wasmBand.setMacroblock(mbx, rowFilters[mbx]!, rowInner[mbx] === 1);
      wasmBand.filterRow(filterType as 1 | 2, mby > 0);
    } else if (filterType !== 0) {
      for (let mbx = 0; mbx < mbWide; mbx++) {
        const f = rowFilters[mbx]!;
        if (f.limit > 0) filterMacroblock(planes, mbx, filterType, f, rowInner[mbx] === 1, mbx > 0, mby > 0);
      }
    }

    const last = mby === mbHigh - 1;
    const firstRow = 16 * mby - EXTRA_Y; // picture row of band row 0
    for (let b = mby === 0 ? EXTRA_Y : 0; b < (last ? EXTRA_Y + 16 : 16); b++) {
      const row = firstRow + b;
      if (row >= height) break;
      const c = (b >> 1) * uvStride;
      const luma = yBand.subarray(b * yStride, b * yStride + width);
      onRow(luma, uBand.subarray(c, c + uvWidth), vBand.subarray(c, c + uvWidth), row);
    }
    if (!last) {
      yBand.copyWithin(0, 16 * yStride, (EXTRA_Y + 16) * yStride);
      uBand.copyWithin(0, 8 * uvStride, (EXTRA_UV + 8) * uvStride);
      vBand.copyWithin(0, 8 * uvStride, (EXTRA_UV + 8) * uvStride);
    }
  }
  budget.release(bandBytes + contextBytes);
  wasmBand?.close();
  return { width, height };
}
