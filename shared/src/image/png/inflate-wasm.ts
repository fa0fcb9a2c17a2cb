// The WebAssembly inflater and unfilter (shared/wasm/inflate.ts → inflate.wasm): the job of inflate.ts and
// scanline.ts's unfilter, with the same output, the same limit and the same errors. The host hands in the compiled
// module (workerd imports it, Node compiles the file), so this code never compiles bytes. One instance and one
// memory serve every decode: a fixed ≈ 225 KB (tables, the 32 KB window and one 64 KB piece, a 68 KB input window)
// plus two scanlines, which decode.ts charges to the request's MemoryBudget. The compressed data is copied in 64 KB at a time.
import { ImageError } from '../errors.ts';
import { ReusedWasmInstance } from '../wasm-instance.ts';
import { corrupt } from './inflate.ts';

/** Makes every PNG decode afterwards inflate and unfilter in inflate.wasm (null: inflate.ts and scanline.ts). */
export function setPngInflateWasmModule(module: WebAssembly.Module | null): void {
  pngWasm.install(module);
}

export function pngInflateWasmModule(): WebAssembly.Module | null {
  return pngWasm.module;
}

/** Bytes of the wasm memory kept for the next decode (0 when none is): what the memory tests watch. */
export function pngInflateWasmMemoryBytes(): number {
  return pngWasm.memoryBytes;
}

interface InflateExports {
  start(limit: number, step: number, lineBytes: number, compositeSamples: number): void;
  input(from: number, to: number, isLast: number): void;
  run(): number;
  nextRow(lineLength: number, newPass: number, wanted: number): number;
}

/** A memory past 4 MiB (scanlines of a very wide image) is dropped after the decode that needed it. */
const pngWasm = new ReusedWasmInstance<InflateExports>(4 * 1024 * 1024);

// shared/wasm/inflate.ts's layout: the parameter block, the input window, the two scanlines.
const PARAMS = 16;
const Field = { Detail: 0, Detail2: 1, Row: 2, Pos: 3, Produced: 4 } as const;
const IN = 160256;
const IN_BYTES = 65536 + 4096;
const LINES = 229888;
const Result = { Done: 0, Piece: 1, NeedInput: 2, Ended: 3, OverLimit: 4 } as const;

const align16 = (n: number): number => (n + 15) & ~15;

/** The wasm memory one decode uses (what decode.ts charges), for scanlines of up to `lineBytes` (filter byte
 * included): two scanlines, and a composited row when `composite` (see WasmInflateJob). */
export function pngInflateWasmBytes(lineBytes: number, composite: number): number {
  return LINES + (composite ? 3 : 2) * align16(lineBytes) + 16;
}

/** One pass of scanlines (the whole image, or one Adam7 pass). */
export interface LinePass {
  /** Bytes of each scanline, filter byte included. */
  lineBytes: number;
  rows: number;
}

export interface WasmInflateJob {
  segments: readonly Uint8Array[];
  /** Output past this many bytes is refused with `overLimit()`, as inflate.ts does. */
  limit: number;
  overLimit(): ImageError;
  /** filterStep of the format, and the longest scanline of any pass. */
  step: number;
  maxLine: number;
  passes: readonly LinePass[];
  /** 2 or 4: 8-bit gray + alpha or RGBA rows are composited over white in wasm (scanline.ts's toOutputRow); 0: not. */
  composite: number;
  /** Whether row `y` of pass `pass` is wanted as pixels (an unwanted one is still unfiltered, never handed out). */
  wanted(pass: number, y: number): boolean;
  /** Each unfiltered scanline (filter byte first) in order, or, when `composited`, the row of output pixels it
   * makes; the array is a view reused after the call returns. Called only for wanted rows: a view per row is
   * garbage per row, and a 1×65535 strip has 65535 of them. */
  onLine(line: Uint8Array, pass: number, y: number, composited: boolean): void;
}

/** Inflates and unfilters `job`'s stream; returns the bytes of output the stream held (inflate.ts's `produced`)
 * and how many passes it completed. */
export function inflateLinesWasm(
  module: WebAssembly.Module,
  job: WasmInflateJob,
): { produced: number; passesDone: number } {
  const { memory, exports } = pngWasm.acquire(module, pngInflateWasmBytes(job.maxLine, job.composite));
  pngWasm.release();
  const heap = new Uint8Array(memory.buffer);
  const params = new Int32Array(memory.buffer, PARAMS, 8);
  exports.start(job.limit, job.step, job.maxLine, job.composite);
  const { composite } = job;

  // The compressed stream: where the next byte to copy in is.
  const { segments, passes } = job;
  let seg = 0;
  let at = 0;
  /** Fills IN after its first `tail` bytes; returns the end of the data there. */
  const feed = (tail: number): number => {
    let to = tail;
    while (to < IN_BYTES && seg < segments.length) {
      const s = segments[seg]!;
      const n = Math.min(IN_BYTES - to, s.length - at);
      heap.set(s.subarray(at, at + n), IN + to);
      to += n;
      at += n;
      if (at === s.length) {
        seg++;
        at = 0;
      }
    }
    exports.input(0, to, seg === segments.length ? 1 : 0);
    return to;
  };
  let end = feed(0);

  let pass = 0;
  let y = 0;
  let newPass = 0;
  for (;;) {
    const result = exports.run();
    if (result === Result.NeedInput) {
      // The unread tail (under 2 KB) moves to the front and the next bytes follow it.
      const pos = params[Field.Pos]!;
      heap.copyWithin(IN, IN + pos, IN + end);
      end = feed(end - pos);
      continue;
    }
    if (result === Result.OverLimit) throw job.overLimit();
    if (result > Result.OverLimit) throw inflateError(result, params[Field.Detail]!, params[Field.Detail2]!);
    while (pass < passes.length) {
      const lineBytes = passes[pass]!.lineBytes;
      const wanted = job.wanted(pass, y);
      const got = exports.nextRow(lineBytes, newPass, wanted && composite > 0 ? 1 : 0);
      newPass = 0;
      if (got === 0) break;
      if (got < 0)
        throw new ImageError('corrupt_image', `PNG is corrupt: scanline filter type ${params[Field.Detail]!}`);
      const at = params[Field.Row]!;
      if (wanted && composite > 0)
        job.onLine(heap.subarray(at, at + ((lineBytes - 1) / composite) * (composite - 1)), pass, y, true);
      else if (wanted) job.onLine(heap.subarray(at, at + lineBytes), pass, y, false);
      if (++y === passes[pass]!.rows) {
        pass++;
        y = 0;
        newPass = 1;
      }
    }
    if (result !== Result.Piece) return { produced: params[Field.Produced]!, passesDone: pass };
  }
}

function inflateError(result: number, detail: number, detail2: number): ImageError {
  switch (result) {
    case 16:
      return corrupt('block type 3 is reserved');
    case 17:
      return corrupt('a stored block’s length check fails');
    case 18:
      return corrupt(`${detail} literal/length or ${detail2} distance codes`);
    case 19:
      return corrupt(`over-subscribed ${['code-length', 'literal/length', 'distance'][detail]} code`);
    case 20:
      return corrupt('a code-length code that is not in its code');
    case 21:
      return corrupt('a code length repeats with nothing before it');
    case 22:
      return corrupt('code lengths run past the codes they describe');
    case 23:
      return corrupt('the block has no end-of-block code');
    case 24:
      return corrupt('a literal/length code that is not in its code');
    case 25:
      return corrupt(`literal/length symbol ${detail}`);
    case 26:
      return corrupt('a distance code that is not in its code');
    case 27:
      return corrupt(`distance symbol ${detail}`);
    default:
      return corrupt(`a match reaches ${detail} bytes back, before the start of the data`);
  }
}
