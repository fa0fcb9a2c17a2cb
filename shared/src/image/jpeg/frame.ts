// A JPEG's tables and frame, read segment by segment (T.81 Annex B), and its coefficient store: per
// component, the zigzag prefix of each block's coefficients that the chosen output scale needs.
import { ImageError } from '../errors.ts';
import { buildHuffmanTable, type HuffmanTable } from './huffman.ts';

export interface Component {
  id: number;
  h: number;
  v: number;
  quantId: number;
  /** Blocks per row and per column, padded to whole MCUs (the store's layout). */
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Blocks a non-interleaved scan covers: the component's own size, not padded to MCUs. */
  ownBlocksPerLine: number;
  ownBlocksPerColumn: number;
  coeffs: Int16Array;
  dcTable: HuffmanTable | null;
  acTable: HuffmanTable | null;
  pred: number;
}

export interface Frame {
  width: number;
  height: number;
  progressive: boolean;
  components: Component[];
  hMax: number;
  vMax: number;
  mcusPerLine: number;
  mcusPerColumn: number;
}

export interface Tables {
  quant: (Uint16Array | null)[];
  dc: (HuffmanTable | null)[];
  ac: (HuffmanTable | null)[];
  restartInterval: number;
  /** Adobe APP14 colour transform: 0 none (RGB/CMYK), 1 YCbCr, 2 YCCK; null without the segment. */
  adobeTransform: number | null;
}

export function corrupt(what: string): ImageError {
  return new ImageError('corrupt_image', `JPEG is corrupt: ${what}`);
}

export function newTables(): Tables {
  return {
    quant: [null, null, null, null],
    dc: [null, null, null, null],
    ac: [null, null, null, null],
    restartInterval: 0,
    adobeTransform: null,
  };
}

export function readQuantTables(body: Uint8Array, tables: Tables): void {
  let p = 0;
  while (p < body.length) {
    const precision = body[p]! >> 4;
    const id = body[p]! & 15;
    p++;
    if (id > 3) throw corrupt(`quantization table id ${id}`);
    const size = precision === 0 ? 64 : 128;
    if (p + size > body.length) throw corrupt('quantization table cut short');
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++)
      table[k] = precision === 0 ? body[p + k]! : (body[p + 2 * k]! << 8) | body[p + 2 * k + 1]!;
    tables.quant[id] = table;
    p += size;
  }
}

export function readHuffmanTables(body: Uint8Array, tables: Tables): void {
  let p = 0;
  while (p < body.length) {
    const tableClass = body[p]! >> 4;
    const id = body[p]! & 15;
    if (id > 3 || tableClass > 1) throw corrupt(`Huffman table class ${tableClass} id ${id}`);
    const counts = body.subarray(p + 1, p + 17);
    if (counts.length < 16) throw corrupt('Huffman table cut short');
    let total = 0;
    for (const n of counts) total += n;
    const symbols = body.subarray(p + 17, p + 17 + total);
    if (symbols.length < total) throw corrupt('Huffman table cut short');
    (tableClass === 0 ? tables.dc : tables.ac)[id] = buildHuffmanTable(counts, symbols);
    p += 17 + total;
  }
}

export function readFrame(marker: number, body: Uint8Array): Frame {
  if (body.length < 6) throw corrupt('frame header too short');
  if (body[0] !== 8)
    throw new ImageError('unsupported_format', `JPEG with ${body[0]}-bit samples is not supported (8-bit only)`);
  const height = (body[1]! << 8) | body[2]!;
  const width = (body[3]! << 8) | body[4]!;
  const count = body[5]!;
  if (width === 0 || height === 0) throw corrupt(`frame declares a ${width}×${height} image`);
  if (body.length < 6 + count * 3) throw corrupt('frame header too short');
  const components: Component[] = [];
  for (let i = 0; i < count; i++) {
    const at = 6 + i * 3;
    const h = body[at + 1]! >> 4;
    const v = body[at + 1]! & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw corrupt(`sampling factors ${h}×${v}`);
    components.push({
      id: body[at]!,
      h,
      v,
      quantId: body[at + 2]! & 3,
      blocksPerLine: 0,
      blocksPerColumn: 0,
      ownBlocksPerLine: 0,
      ownBlocksPerColumn: 0,
      coeffs: new Int16Array(0),
      dcTable: null,
      acTable: null,
      pred: 0,
    });
  }
  const hMax = Math.max(...components.map((c) => c.h));
  const vMax = Math.max(...components.map((c) => c.v));
  const mcusPerLine = Math.ceil(width / (8 * hMax));
  const mcusPerColumn = Math.ceil(height / (8 * vMax));
  for (const c of components) {
    c.ownBlocksPerLine = Math.ceil(Math.ceil((width * c.h) / hMax) / 8);
    c.ownBlocksPerColumn = Math.ceil(Math.ceil((height * c.v) / vMax) / 8);
    c.blocksPerLine = mcusPerLine * c.h;
    c.blocksPerColumn = mcusPerColumn * c.v;
  }
  return { width, height, progressive: marker === 0xc2, components, hMax, vMax, mcusPerLine, mcusPerColumn };
}

/** Bytes of coefficient store the frame needs at `perBlock` coefficients per block. */
export function storeBytes(frame: Frame, perBlock: number): number {
  let blocks = 0;
  for (const c of frame.components) blocks += c.blocksPerLine * c.blocksPerColumn;
  return blocks * perBlock * 2;
}
