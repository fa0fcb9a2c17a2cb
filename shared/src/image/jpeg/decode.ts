// JPEG → RawImage at 1/scale of its size (scale 1, 2, 4 or 8), in pure TypeScript so it runs unchanged in
// Node and workerd. Only the coefficients the scaled IDCT reads are stored; at 1/8 a progressive file's AC
// scans are skipped unread. Every buffer is charged to the request's MemoryBudget before it is allocated,
// so an image too large for the budget is refused before any pixel is decoded. It decodes full-size JPEGs too
// since 2026-12-03 (jpeg-js did before: pixels within 3 levels of ours, but ≈ 5× slower, ≈ 12 bytes a pixel, and
// it refused valid files with restart markers).
import type { MemoryBudget } from '../budget.ts';
import { ImageError } from '../errors.ts';
import { applyOrientation, readExifOrientation, type Orientation } from '../exif.ts';
import type { RawImage } from '../types.ts';
import { BitReader, endOfScanData } from './bit-reader.ts';
import { convertRow, type ColorModel, type Plane } from './color.ts';
import {
  corrupt,
  newTables,
  readFrame,
  readHuffmanTables,
  readQuantTables,
  storeBytes,
  type Frame,
  type Tables,
} from './frame.ts';
import { coefficientsFor, dcPlane, idctBlock } from './idct.ts';
import { decodeScan, type Scan } from './scan.ts';
import { decodeScanFast, hasFastPath } from './scan-fast.ts';
import { jpegWasmModule, WasmScans } from './scan-wasm.ts';

export type JpegScale = 1 | 2 | 4 | 8;

/** libjpeg's output size at 1/scale: ceil(size / scale). */
export function scaledSize(width: number, height: number, scale: JpegScale): { width: number; height: number } {
  return { width: Math.ceil(width / scale), height: Math.ceil(height / scale) };
}

const SOF_BASELINE = 0xc0,
  SOF_EXTENDED = 0xc1,
  SOF_PROGRESSIVE = 0xc2;
const DHT = 0xc4,
  SOI = 0xd8,
  EOI = 0xd9,
  SOS = 0xda,
  DQT = 0xdb,
  DRI = 0xdd,
  APP1 = 0xe1,
  APP14 = 0xee;

function unsupportedFrame(marker: number): ImageError {
  const kind =
    marker === 0xc3 || marker === 0xc7 || marker === 0xcb || marker === 0xcf
      ? 'lossless'
      : marker >= 0xc9
        ? 'arithmetic-coded'
        : 'hierarchical';
  return new ImageError(
    'unsupported_format',
    `${kind} JPEG (SOF 0x${marker.toString(16)}) is not supported; send baseline or progressive JPEG`,
  );
}

function readScanHeader(body: Uint8Array, frame: Frame, tables: Tables): Scan {
  const count = body[0] ?? 0;
  if (count < 1 || count > 4 || body.length < 1 + count * 2 + 3) throw corrupt('scan header');
  const components = [];
  for (let i = 0; i < count; i++) {
    const c = frame.components.find((x) => x.id === body[1 + i * 2]);
    if (!c) throw corrupt(`scan names component ${body[1 + i * 2]} that the frame lacks`);
    const sel = body[2 + i * 2]!;
    c.dcTable = tables.dc[sel >> 4] ?? null;
    c.acTable = tables.ac[sel & 3] ?? null;
    components.push(c);
  }
  const at = 1 + count * 2;
  const scan: Scan = { components, ss: body[at]!, se: body[at + 1]!, ah: body[at + 2]! >> 4, al: body[at + 2]! & 15 };
  if (scan.ss > scan.se || scan.se > 63) throw corrupt(`spectral selection ${scan.ss}..${scan.se}`);
  for (const c of components) {
    if (
      (scan.ss === 0 && scan.ah === 0 && !c.dcTable) ||
      (scan.se > 0 && !c.acTable && (!frame.progressive || scan.ss > 0))
    ) {
      throw corrupt('scan uses a Huffman table that was never defined');
    }
  }
  return scan;
}

function colorModelOf(frame: Frame, tables: Tables): ColorModel {
  const n = frame.components.length;
  if (n === 1) return 'gray';
  if (n === 3) {
    if (tables.adobeTransform === 0) return 'rgb';
    const ids = frame.components.map((c) => c.id);
    if (tables.adobeTransform === null && ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42) return 'rgb'; // 'R','G','B'
    return 'ycbcr';
  }
  if (n === 4) return tables.adobeTransform === 2 ? 'ycck' : 'cmyk';
  throw new ImageError('unsupported_format', `JPEG with ${n} colour components is not supported`);
}

/** Inverse DCT of every stored block into one plane per component, at N = 8 / scale samples per block side. */
function buildPlanes(
  frame: Frame,
  tables: Tables,
  scale: JpegScale,
  perBlock: number,
  budget: MemoryBudget,
  out: { width: number; height: number },
): Plane[] {
  const n = 8 / scale;
  const work = new Float64Array(64);
  return frame.components.map((c) => {
    const quant = tables.quant[c.quantId];
    if (!quant) throw corrupt(`component ${c.id} uses quantization table ${c.quantId} that was never defined`);
    const stride = c.blocksPerLine * n;
    const data = budget.u8(stride * c.blocksPerColumn * n, 'JPEG component plane');
    if (n === 1) {
      dcPlane(c.coeffs, perBlock, c.blocksPerLine * c.blocksPerColumn, quant, data);
    } else {
      for (let by = 0; by < c.blocksPerColumn; by++) {
        for (let bx = 0; bx < c.blocksPerLine; bx++) {
          const from = (by * c.blocksPerLine + bx) * perBlock;
          idctBlock(n, c.coeffs, from, quant, data, by * n * stride + bx * n, stride, work);
        }
      }
    }
    budget.free(c.coeffs);
    c.coeffs = new Int16Array(0);
    const columnOf = new Int32Array(out.width);
    for (let x = 0; x < out.width; x++) columnOf[x] = Math.floor((x * c.h) / frame.hMax);
    const rowOf = new Int32Array(out.height);
    for (let y = 0; y < out.height; y++) rowOf[y] = Math.floor((y * c.v) / frame.vMax);
    return { data, stride, columnOf, rowOf };
  });
}

export interface JpegDecodeOptions {
  /** Decode every scan with scan.ts's reference decoder instead of scan-fast.ts: what the parity tests compare to. */
  referenceScans?: boolean;
  /** The compiled jpeg.wasm for the scans scan-fast.ts handles (default: what setJpegWasmModule set; null: scan-fast.ts). */
  wasm?: WebAssembly.Module | null;
}

export function decodeJpegScaled(
  bytes: Uint8Array,
  scale: JpegScale,
  budget: MemoryBudget,
  opts: JpegDecodeOptions = {},
): RawImage {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) throw corrupt('no start-of-image marker');
  const tables = newTables();
  let frame: Frame | null = null;
  let perBlock = 0;
  let orientation: Orientation = 1;
  let scans = 0;
  /** Components a sequential scan has decoded: each is coded in one scan (T.81 A.2), so a repeat is refused
   *  rather than decoded again (a 10 MB upload could otherwise repeat a 50 MP scan 17 times). */
  const decoded = new Set<number>();
  let ended = false;
  let pos = 2;
  const wasm = opts.referenceScans ? null : opts.wasm === undefined ? jpegWasmModule() : opts.wasm;
  let wasmScans: WasmScans | null = null;
  while (pos < bytes.length && !ended) {
    if (bytes[pos] !== 0xff) throw corrupt(`expected a marker at byte ${pos}`);
    while (bytes[pos] === 0xff) pos++;
    const marker = bytes[pos++] ?? 0;
    if (marker === EOI) {
      ended = true;
      break;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (pos + 2 > bytes.length) break;
    const length = (bytes[pos]! << 8) | bytes[pos + 1]!;
    if (length < 2 || pos + length > bytes.length)
      throw corrupt(`segment 0x${marker.toString(16)} runs past the end of the file`);
    const body = bytes.subarray(pos + 2, pos + length);
    pos += length;
    if (marker === DQT) readQuantTables(body, tables);
    else if (marker === DHT) readHuffmanTables(body, tables);
    else if (marker === DRI) tables.restartInterval = body.length >= 2 ? (body[0]! << 8) | body[1]! : 0;
    else if (marker === APP1) orientation = readExifOrientation(body) ?? orientation;
    else if (marker === APP14 && body.length >= 12 && body[0] === 0x41 && body[1] === 0x64)
      tables.adobeTransform = body[11]!; // "Adobe"
    else if (marker === SOF_BASELINE || marker === SOF_EXTENDED || marker === SOF_PROGRESSIVE) {
      if (frame) throw corrupt('more than one frame header');
      frame = readFrame(marker, body);
      // A progressive file refines coefficients across scans, so below 1/8 (which reads only the DC) it keeps them all.
      perBlock = frame.progressive && scale !== 8 ? 64 : coefficientsFor(8 / scale);
      budget.charge(storeBytes(frame, perBlock), 'JPEG coefficients'); // refused here, before any scan is decoded
      budget.release(storeBytes(frame, perBlock));
      if (wasm) wasmScans = new WasmScans(wasm, bytes, frame, perBlock, budget);
      else {
        for (const c of frame.components)
          c.coeffs = budget.i16(c.blocksPerLine * c.blocksPerColumn * perBlock, 'JPEG coefficients');
      }
    } else if (marker >= 0xc3 && marker <= 0xcf && marker !== DHT && marker !== 0xc8 && marker !== 0xcc) {
      throw unsupportedFrame(marker);
    } else if (marker === SOS) {
      if (!frame) throw corrupt('scan before the frame header');
      const scan = readScanHeader(body, frame, tables);
      if (!frame.progressive) {
        for (const c of scan.components) {
          if (decoded.has(c.id)) throw corrupt(`component ${c.id} appears in a second sequential scan`);
          decoded.add(c.id);
        }
      }
      const end = endOfScanData(bytes, pos);
      // At 1/8 only the DC terms are read: AC scans of a progressive file are skipped without decoding.
      if (wasmScans && hasFastPath(frame, scan)) {
        wasmScans.decodeScan(pos, end, frame, scan, perBlock, tables.restartInterval);
      } else if (!opts.referenceScans && hasFastPath(frame, scan)) {
        decodeScanFast(bytes, pos, end, frame, scan, perBlock, tables.restartInterval);
      } else if (!(perBlock === 1 && scan.ss > 0)) {
        decodeScan(new BitReader(bytes.subarray(0, end), pos), frame, scan, perBlock, tables.restartInterval);
      }
      scans++;
      pos = end;
    }
  }
  if (!frame || scans === 0) throw corrupt('no frame or no scan');
  if (!ended) throw new ImageError('corrupt_image', 'JPEG is truncated: no end-of-image marker');
  const model = colorModelOf(frame, tables);
  const size = scaledSize(frame.width, frame.height, scale);
  const planes = buildPlanes(frame, tables, scale, perBlock, budget, size);
  wasmScans?.close();
  const channels = model === 'gray' ? 1 : 3;
  const data = budget.u8(size.width * size.height * channels, 'decoded JPEG');
  for (let y = 0; y < size.height; y++) convertRow(model, planes, y, size.width, data, y * size.width * channels);
  for (const p of planes) budget.free(p.data);
  const image: RawImage = { width: size.width, height: size.height, channels, data };
  if (orientation === 1) return image;
  budget.charge(data.byteLength, 'EXIF rotation');
  const turned = applyOrientation(image, orientation);
  budget.free(data);
  return turned;
}
