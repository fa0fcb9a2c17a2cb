// WebP bytes → rows. Lossy (VP8) pictures stream one macroblock row at a time into the row callback, so a
// 12 MP photo needs a few rows of memory (plus its alpha plane when it has one); lossless (VP8L) pictures
// stream row by row out of a ring of coded rows as wide as a backward reference reaches (≈ 4 MiB).
import { compositeOverWhite } from '../alpha.ts';
import type { MemoryBudget } from '../budget.ts';
import { decodeAlpha } from './alpha.ts';
import { parseWebp } from './container.ts';
import { decodeLossyRows } from './vp8/decode.ts';
import { decodeLosslessRows } from './vp8l/decode.ts';
import { yuvRowToRgb, yuvRowToRgba } from './yuv.ts';

export type RgbaRowSink = (rgba: Uint8Array, y: number) => void;
export type RgbRowSink = (rgb: Uint8Array, y: number) => void;
/**
 * Which rows the caller will read. The others are still decoded (later rows predict from them) but never
 * converted to RGB(A) nor handed over: a resize to 72 rows reads ≈ 130 of a 12 MP photo's 3,024.
 */
export type RowFilter = (y: number) => boolean;
const EVERY_ROW: RowFilter = () => true;

export interface WebpInfo {
  width: number;
  height: number;
  kind: 'lossy' | 'lossless';
}

/** Rows of non-premultiplied RGBA, exactly what `dwebp -nofancy -pam` writes; `onRow` sees the wanted ones. */
export function decodeWebpRgbaRows(
  bytes: Uint8Array,
  budget: MemoryBudget,
  onRow: RgbaRowSink,
  wanted: RowFilter = EVERY_ROW,
): WebpInfo {
  const still = parseWebp(bytes);
  const { width, height, kind } = still;
  const row = budget.u8(width * 4, 'WebP RGBA row');
  if (kind === 'lossless') {
    decodeLosslessRows(still.bitstream, budget, (argb, y) => {
      if (!wanted(y)) return;
      for (let x = 0, o = 0; x < width; x++, o += 4) {
        const px = argb[x]!;
        row[o] = (px >>> 16) & 0xff;
        row[o + 1] = (px >>> 8) & 0xff;
        row[o + 2] = px & 0xff;
        row[o + 3] = px >>> 24;
      }
      onRow(row, y);
    });
  } else {
    const alpha = still.alpha ? decodeAlpha(still.alpha, width, height, budget) : null;
    decodeLossyRows(still.bitstream, budget, (y, u, v, r) => {
      if (!wanted(r)) return;
      yuvRowToRgba(y, u, v, width, row, alpha, r * width);
      onRow(row, r);
    });
    if (alpha) budget.free(alpha);
  }
  budget.free(row);
  return { width, height, kind };
}

/** Rows of RGB, transparent pixels composited over white as the PNG path does (the model has no alpha). */
export function decodeWebpRows(
  bytes: Uint8Array,
  budget: MemoryBudget,
  onRow: RgbRowSink,
  wanted: RowFilter = EVERY_ROW,
): { width: number; height: number; channels: 3 } {
  const still = parseWebp(bytes);
  if (still.kind === 'lossy' && !still.alpha) {
    // Opaque lossy: Y′CbCr straight to RGB, no RGBA row in between.
    const row = budget.u8(still.width * 3, 'WebP RGB row');
    decodeLossyRows(still.bitstream, budget, (y, u, v, r) => {
      if (!wanted(r)) return;
      yuvRowToRgb(y, u, v, still.width, row);
      onRow(row, r);
    });
    budget.free(row);
    return { width: still.width, height: still.height, channels: 3 };
  }
  let rgb: Uint8Array | null = null;
  const info = decodeWebpRgbaRows(
    bytes,
    budget,
    (rgba, y) => {
      const width = rgba.length >> 2;
      rgb ??= budget.u8(width * 3, 'WebP RGB row');
      for (let x = 0, i = 0, o = 0; x < width; x++, i += 4, o += 3) {
        const a = rgba[i + 3]!;
        if (a === 255) {
          rgb[o] = rgba[i]!;
          rgb[o + 1] = rgba[i + 1]!;
          rgb[o + 2] = rgba[i + 2]!;
        } else {
          rgb[o] = compositeOverWhite(rgba[i]!, a);
          rgb[o + 1] = compositeOverWhite(rgba[i + 1]!, a);
          rgb[o + 2] = compositeOverWhite(rgba[i + 2]!, a);
        }
      }
      onRow(rgb, y);
    },
    wanted,
  );
  if (rgb) budget.free(rgb);
  return { width: info.width, height: info.height, channels: 3 };
}
