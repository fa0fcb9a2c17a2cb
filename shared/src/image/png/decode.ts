// PNG → rows of 8-bit gray or RGB, handed one at a time to `onRow`, so a huge image never exists as one
// buffer: the decoder holds two scanlines and the inflater's window. Inflation is bounded: our inflater
// (inflate.ts) reads the IDAT chunks in place and stops with `inflation_limit` inside its loop as soon as the
// output passes the bytes the header's size needs, so a deflate bomb costs at most one 64 KB piece past that.
// Interlaced (Adam7) files arrive pass by pass, not row by row; they are gathered into one 8-bit buffer,
// charged to the budget, and then emitted in order.
import type { MemoryBudget } from '../budget.ts';
import { ImageError } from '../errors.ts';
import { readPngHeader } from '../png-header.ts';
import { pngChunks } from './chunks.ts';
import { INFLATER_BYTES, inflateBounded } from './inflate.ts';
import { inflateLinesWasm, pngInflateWasmBytes, pngInflateWasmModule, type LinePass } from './inflate-wasm.ts';
import {
  checkFormat,
  filterStep,
  outputChannels,
  scanlineBytes,
  toOutputRow,
  unfilter,
  type PngFormat,
} from './scanline.ts';

const WASM_MAX_DATA = 1 << 30;

export type RowSink = (row: Uint8Array, y: number) => void;
/** Which rows the caller wants as pixels; the others are still inflated and unfiltered (the next row needs them). */
export type RowFilter = (y: number) => boolean;
const EVERY_ROW: RowFilter = () => true;

export interface PngInfo {
  width: number;
  height: number;
  channels: 1 | 3;
}

// Adam7 passes: x start, y start, x step, y step.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  width: number;
  height: number;
}

function passesOf(format: PngFormat): Pass[] {
  if (!format.interlaced) return [{ x0: 0, y0: 0, dx: 1, dy: 1, width: format.width, height: format.height }];
  return ADAM7.map(([x0, y0, dx, dy]) => ({
    x0,
    y0,
    dx,
    dy,
    width: Math.ceil(Math.max(0, format.width - x0) / dx),
    height: Math.ceil(Math.max(0, format.height - y0) / dy),
  })).filter((p) => p.width > 0 && p.height > 0);
}

function readFormat(bytes: Uint8Array): PngFormat {
  const header = readPngHeader(bytes);
  checkFormat(header.colorType, header.bitDepth);
  const interlace = bytes[28]!;
  if (interlace > 1) throw new ImageError('corrupt_image', `PNG declares interlace method ${interlace}`);
  return { ...header, interlaced: interlace === 1, palette: null };
}

function readPalette(plte: Uint8Array, trns: Uint8Array | null): Uint8Array {
  if (plte.length === 0 || plte.length % 3 !== 0 || plte.length > 256 * 3) {
    throw new ImageError('corrupt_image', `PNG palette of ${plte.length} bytes is not a whole number of colours`);
  }
  const entries = plte.length / 3;
  const palette = new Uint8Array(entries * 4);
  for (let i = 0; i < entries; i++) {
    palette.set(plte.subarray(i * 3, i * 3 + 3), i * 4);
    palette[i * 4 + 3] = trns && i < trns.length ? trns[i]! : 255;
  }
  return palette;
}

export function decodePngRows(
  bytes: Uint8Array,
  budget: MemoryBudget,
  onRow: RowSink,
  wanted: RowFilter = EVERY_ROW,
): PngInfo {
  const format = readFormat(bytes);
  const channels = outputChannels(format);
  const { width, height } = format;
  const passes = passesOf(format);
  let needed = 0;
  for (const p of passes) needed += p.height * (1 + scanlineBytes(format, p.width));

  const step = filterStep(format);
  const maxLine = 1 + scanlineBytes(format, width);
  // The wasm inflater counts in i32: image data past 1 GiB (refused by the worker's limits long before) stays in TypeScript.
  const wasm = needed <= WASM_MAX_DATA ? pngInflateWasmModule() : null;
  // The wasm inflater's memory holds its window and both scanlines; the TypeScript path allocates them here.
  // 8-bit gray + alpha and RGBA rows are composited in wasm too; other formats are converted here.
  const composite =
    format.bitDepth === 8 && (format.colorType === 4 || format.colorType === 6) ? format.colorType - 2 : 0;
  const inflaterBytes = wasm ? pngInflateWasmBytes(maxLine, composite) : INFLATER_BYTES;
  budget.charge(inflaterBytes, 'PNG inflater');
  const lines = wasm ? null : [budget.u8(maxLine, 'PNG scanline'), budget.u8(maxLine, 'PNG scanline')];
  const row = budget.u8(width * channels, 'PNG row');
  const gathered = format.interlaced ? budget.u8(width * height * channels, 'interlaced PNG') : null;
  const passRow = format.interlaced ? budget.u8(width * channels, 'PNG pass row') : null;

  let plte: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  let zlibHeader = 0;
  let sawData = false;

  /** Pass `passIndex`'s row `passY`: an unfiltered scanline, or (`composited`) already its output pixels. */
  const onLine = (line: Uint8Array, passIndex: number, passY: number, composited = false): void => {
    const pass = passes[passIndex]!;
    if (!gathered) {
      if (composited) onRow(line, passY);
      else if (wanted(passY)) {
        toOutputRow(format, line, width, row);
        onRow(row, passY);
      }
    } else {
      const pixels = composited ? line : passRow!;
      if (!composited) toOutputRow(format, line, pass.width, passRow!);
      const y = pass.y0 + passY * pass.dy;
      for (let i = 0; i < pass.width; i++) {
        const at = (y * width + pass.x0 + i * pass.dx) * channels;
        for (let k = 0; k < channels; k++) gathered[at + k] = pixels[i * channels + k]!;
      }
    }
  };
  const overLimit = (): ImageError =>
    new ImageError(
      'inflation_limit',
      `PNG image data inflates past the ${needed} bytes a ${width}×${height} image needs; refusing it`,
    );

  // The IDAT chunks are consecutive (PNG spec §5.6); the stream is read from them in place.
  const segments: Uint8Array[] = [];
  for (const chunk of pngChunks(bytes)) {
    if (chunk.type === 'PLTE') plte = chunk.data;
    else if (chunk.type === 'tRNS') trns = chunk.data;
    else if (chunk.type === 'IDAT') {
      if (!sawData) {
        sawData = true;
        if (format.colorType === 3) {
          if (!plte)
            throw new ImageError(
              'missing_palette',
              'PNG is a palette image without a PLTE chunk: its samples have no colours',
            );
          format.palette = readPalette(plte, trns);
        }
      }
      let data = chunk.data;
      // The zlib stream's 2-byte header (RFC 1950) may straddle IDAT chunks.
      while (zlibHeader < 2 && data.length > 0) {
        if (zlibHeader === 0 && (data[0]! & 0x0f) !== 8)
          throw new ImageError('corrupt_image', 'PNG image data is not a deflate stream');
        if (zlibHeader === 1 && (data[0]! & 0x20) !== 0)
          throw new ImageError('corrupt_image', 'PNG image data asks for a preset dictionary');
        zlibHeader++;
        data = data.subarray(1);
      }
      if (data.length > 0) segments.push(data);
    } else if (sawData) break; // the image data is complete; later chunks are not needed
  }
  if (!sawData) throw new ImageError('corrupt_image', 'PNG has no image data (IDAT)');
  const linePasses = passes.map((p) => ({ lineBytes: 1 + scanlineBytes(format, p.width), rows: p.height }));
  const { produced, passesDone } = wasm
    ? inflateLinesWasm(wasm, {
        segments,
        limit: needed,
        overLimit,
        step,
        maxLine,
        passes: linePasses,
        composite,
        wanted: (_pass, y) => gathered !== null || wanted(y),
        onLine,
      })
    : inflateLinesTs(segments, needed, overLimit, step, linePasses, lines!, onLine);
  if (passesDone < passes.length) {
    throw new ImageError('corrupt_image', `PNG is truncated: image data ends after ${produced} of ${needed} bytes`);
  }
  if (gathered)
    for (let y = 0; y < height; y++)
      if (wanted(y)) onRow(gathered.subarray(y * width * channels, (y + 1) * width * channels), y);
  budget.release(inflaterBytes);
  for (const b of [...(lines ?? []), row]) budget.free(b);
  if (gathered) budget.free(gathered);
  if (passRow) budget.free(passRow);
  return { width, height, channels };
}

/** inflate.ts and scanline.ts's unfilter: the stream's scanlines, unfiltered, to `onLine`, through `lines`. */
function inflateLinesTs(
  segments: readonly Uint8Array[],
  limit: number,
  overLimit: () => ImageError,
  step: number,
  passes: readonly LinePass[],
  lines: Uint8Array[],
  onLine: (line: Uint8Array, pass: number, y: number) => void,
): { produced: number; passesDone: number } {
  let [line, previous] = lines as [Uint8Array, Uint8Array];
  let passIndex = 0;
  let passY = 0;
  let filled = 0;
  let lineLength = passes[0]?.lineBytes ?? 0;
  const emitLine = (): void => {
    unfilter(line.subarray(0, lineLength), previous, step);
    onLine(line, passIndex, passY);
    [line, previous] = [previous, line];
    filled = 0;
    passY++;
    if (passY === passes[passIndex]!.rows) {
      passIndex++;
      passY = 0;
      previous.fill(0);
      if (passIndex < passes.length) lineLength = passes[passIndex]!.lineBytes;
    }
  };
  const onPiece = (piece: Uint8Array): void => {
    let at = 0;
    while (at < piece.length) {
      const take = Math.min(lineLength - filled, piece.length - at);
      line.set(piece.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === lineLength) emitLine();
    }
  };
  const { produced } = inflateBounded(segments, limit, { onPiece, overLimit });
  return { produced, passesDone: passIndex };
}
