// The WebAssembly entropy decoder (shared/wasm/jpeg.ts → jpeg.wasm): the scans scan-fast.ts handles, decoded to the
// same coefficients with the same errors. The host hands in the compiled module, as for conv.wasm (workerd imports
// it, Node compiles the file), so this code never compiles bytes. One instance and one memory serve every decode:
// a decode sizes the memory from the frame once, before any scan (file copy, tables, coefficient stores), charges
// what it uses to the request's MemoryBudget, and the coefficient stores it hands back are views of that memory,
// which buildPlanes and scan.ts (progressive AC scans) read and write like any Int16Array.
import type { MemoryBudget } from '../budget.ts';
import { ReusedWasmInstance } from '../wasm-instance.ts';
import { corrupt, type Frame } from './frame.ts';
import { fastAcTable, skipAcTable, type HuffmanTable } from './huffman.ts';
import type { Scan } from './scan.ts';
import { mcuLayout, usesSkipTable } from './scan-fast.ts';

/** Makes every JPEG decode afterwards use jpeg.wasm for its entropy decoding (null: scan-fast.ts). */
export function setJpegWasmModule(module: WebAssembly.Module | null): void {
  jpegWasm.install(module);
}

export function jpegWasmModule(): WebAssembly.Module | null {
  return jpegWasm.module;
}

interface JpegExports {
  decodeScan(params: number): number;
}

/** A memory past 64 MiB is dropped after the decode that needed it rather than kept for the next one. */
const jpegWasm = new ReusedWasmInstance<JpegExports>(64 * 1024 * 1024);

// The parameter block and table blocks, as shared/wasm/jpeg.ts reads them.
const PARAMS = 16;
const PARAMS_BYTES = 256;
const TABLE_BYTES = 29840;
const LOOKAHEAD = 0,
  MAX_CODE = 1024,
  OFFSET = 1096,
  SYMBOLS = 1168,
  FAST = 5264,
  SKIP = 13456;
/** Two table blocks (DC, AC) for each of a scan's up to 4 components. */
const TABLES = PARAMS + PARAMS_BYTES;
const FILE = TABLES + 8 * TABLE_BYTES;
/** Indices of the parameter block's i32 fields. */
const Field = {
  Bytes: 0,
  Start: 1,
  End: 2,
  Components: 3,
  WithAc: 4,
  Refine: 5,
  DcShift: 6,
  RefineBit: 7,
  UseSkip: 8,
  PerBlock: 9,
  Restart: 10,
  McusPerLine: 11,
  McuRows: 12,
  BlocksPerMcu: 13,
  Detail: 14,
  LayoutComponent: 16,
  LayoutOffset: 26,
  Component: 36,
} as const;

const align16 = (n: number): number => (n + 15) & ~15;

/** Bytes of the wasm memory kept for the next decode (0 when none is): what the memory tests watch. */
export function jpegWasmMemoryBytes(): number {
  return jpegWasm.memoryBytes;
}

/** One decode's use of jpeg.wasm: its coefficient stores, and the scans it decodes into them. */
export class WasmScans {
  private readonly exports: JpegExports;
  private readonly buffer: ArrayBuffer;
  private readonly params: Int32Array;
  private readonly storeAt = new Map<Int16Array, number>();
  private readonly overhead: number;

  /** Charges the file copy and the tables, then each component's store (freed by whoever frees `c.coeffs`). */
  constructor(
    module: WebAssembly.Module,
    bytes: Uint8Array,
    frame: Frame,
    perBlock: number,
    private readonly budget: MemoryBudget,
  ) {
    // The file, and after it one 0xFF: a 0xFF as the file's last byte then reads as a marker, as past the end of
    // the array in scan-fast.ts.
    const storesAt = align16(FILE + bytes.length + 1);
    this.overhead = storesAt;
    budget.charge(this.overhead, 'JPEG entropy decoder memory');
    let next = storesAt;
    const stores = frame.components.map((c) => {
      const length = c.blocksPerLine * c.blocksPerColumn * perBlock;
      budget.charge(length * 2, 'JPEG coefficients');
      const at = next;
      next += align16(length * 2);
      return { at, length };
    });
    const { memory, exports } = jpegWasm.acquire(module, next);
    this.exports = exports;
    this.buffer = memory.buffer;
    this.params = new Int32Array(this.buffer, PARAMS, PARAMS_BYTES / 4);
    const heap = new Uint8Array(this.buffer);
    heap.set(bytes, FILE);
    heap[FILE + bytes.length] = 0xff;
    heap.fill(0, storesAt, next); // the stores start zeroed, as a new Int16Array does
    frame.components.forEach((c, i) => {
      c.coeffs = new Int16Array(this.buffer, stores[i]!.at, stores[i]!.length);
      this.storeAt.set(c.coeffs, stores[i]!.at);
    });
    jpegWasm.release();
  }

  /** Decodes one scan that scan-fast.ts would (hasFastPath): the same coefficients, or its error. */
  decodeScan(start: number, end: number, frame: Frame, scan: Scan, perBlock: number, restartInterval: number): void {
    const p = this.params;
    const single = scan.components.length === 1 ? scan.components[0]! : null;
    const withAc = !frame.progressive;
    const refine = frame.progressive && scan.ah !== 0;
    const useSkip = usesSkipTable(frame, scan, perBlock);
    const layout = mcuLayout(scan, perBlock);
    p[Field.Bytes] = FILE;
    p[Field.Start] = start;
    p[Field.End] = end;
    p[Field.Components] = scan.components.length;
    p[Field.WithAc] = withAc ? 1 : 0;
    p[Field.Refine] = refine ? 1 : 0;
    p[Field.DcShift] = frame.progressive ? scan.al : 0;
    p[Field.RefineBit] = 1 << scan.al;
    p[Field.UseSkip] = useSkip ? 1 : 0;
    p[Field.PerBlock] = perBlock;
    p[Field.Restart] = restartInterval;
    p[Field.McusPerLine] = single ? single.ownBlocksPerLine : frame.mcusPerLine;
    p[Field.McuRows] = single ? single.ownBlocksPerColumn : frame.mcusPerColumn;
    p[Field.BlocksPerMcu] = layout.component.length;
    p.set(layout.component, Field.LayoutComponent);
    p.set(layout.offset, Field.LayoutOffset);
    scan.components.forEach((c, ci) => {
      const at = Field.Component + ci * 5;
      p[at] = this.storeAt.get(c.coeffs)!;
      p[at + 1] = (single ? 1 : c.h) * perBlock;
      p[at + 2] = (single ? 1 : c.v) * c.blocksPerLine * perBlock;
      const dcAt = TABLES + 2 * ci * TABLE_BYTES;
      const acAt = dcAt + TABLE_BYTES;
      if (!refine) this.writeTable(dcAt, c.dcTable!, false, false);
      if (withAc) this.writeTable(acAt, c.acTable!, true, useSkip);
      p[at + 3] = dcAt;
      p[at + 4] = acAt;
    });
    const result = this.exports.decodeScan(PARAMS);
    if (result !== 0) throw errorOf(result, p[Field.Detail]!);
  }

  private writeTable(at: number, table: HuffmanTable, ac: boolean, skip: boolean): void {
    const b = this.buffer;
    new Uint16Array(b, at + LOOKAHEAD, table.lookahead.length).set(table.lookahead);
    new Int32Array(b, at + MAX_CODE, 18).set(table.maxCode);
    new Int32Array(b, at + OFFSET, 18).set(table.offset);
    new Uint8Array(b, at + SYMBOLS, table.symbols.length).set(table.symbols);
    if (ac) new Int32Array(b, at + FAST, 1 << 11).set(fastAcTable(table));
    if (skip) new Int32Array(b, at + SKIP, 1 << 12).set(skipAcTable(table));
  }

  /** Releases the file copy and tables (the stores are released as they are freed). */
  close(): void {
    this.budget.release(this.overhead);
  }
}

function errorOf(result: number, detail: number): Error {
  switch (result) {
    case 1:
      return corrupt('scan data ends before its last block');
    case 2:
      return corrupt(`restart marker missing at byte ${detail}`);
    case 3:
      return corrupt('scan holds a code that is in no Huffman table');
    case 4:
      return corrupt(`DC difference of ${detail} bits`);
    default:
      return corrupt('coefficient index past 63');
  }
}
