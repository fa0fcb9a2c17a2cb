// The memory of the wasm path (shared/wasm/conv.ts → conv.wasm), TFLite Micro's arena in miniature. The host hands
// in the compiled module — workerd imports conv.wasm as a module (wrangler's CompiledWasm rule), Node compiles the
// file — so the shared code never compiles bytes, which workerd forbids. Each wasm kernel's prepare reports what it
// needs (its own persistent blocks: int8 filter rows, parameter block, tables; and how much of each shared scratch
// region it uses); after every op is prepared, `commit` sizes one memory from those reports, instantiates the
// module once, and hands each kernel its addresses. The memory never grows, so views made at commit stay valid.

const PAGE = 65536;

let defaultModule: WebAssembly.Module | null = null;

/** Makes every Interpreter created afterwards use the wasm path (null: the optimized TypeScript path). */
export function setInt8WasmModule(module: WebAssembly.Module | null): void {
  defaultModule = module;
}

export function int8WasmModule(): WebAssembly.Module | null {
  return defaultModule;
}

/** What conv.wasm exports (shared/wasm/conv.ts). */
export interface WasmExports {
  conv(params: number): void;
  maxPool(params: number): void;
  quantize(input: number, output: number, size: number, scale: number, zeroPoint: number): void;
  add(a: number, b: number, output: number, size: number, table: number): void;
}

/** Scratch regions every wasm op shares: what one op leaves there is dead once it has copied its output out. */
export type ScratchRegion = 'input' | 'input2' | 'output' | 'patch';
const REGIONS: readonly ScratchRegion[] = ['input', 'input2', 'output', 'patch'];

/** One wasm kernel's needs, reported from its prepare. */
export interface WasmArenaRequest {
  /** Byte sizes of the blocks this op keeps for the interpreter's life, in the order it wants their addresses. */
  persistent: number[];
  /** Bytes of each scratch region the op uses while it runs. */
  scratch: Partial<Record<ScratchRegion, number>>;
}

/** Where the arena put one request. */
export interface WasmPlacement {
  buffer: ArrayBuffer;
  exports: WasmExports;
  /** Addresses of the request's persistent blocks, in the order requested. */
  blocks: number[];
  scratch: Record<ScratchRegion, number>;
}

/** A wasm kernel's op data: `run` is bound when the arena commits, before the first evaluate. */
export interface WasmOp {
  run: () => void;
}

const align16 = (n: number) => (n + 15) & ~15;

function notCommitted(): never {
  throw new Error('wasm arena: an op ran before the arena was committed');
}

export class WasmArena {
  private readonly requests: { request: WasmArenaRequest; place: (at: WasmPlacement) => unknown }[] = [];
  private memory: WebAssembly.Memory | null = null;

  constructor(private readonly module: WebAssembly.Module) {}

  /** `bind` runs once at commit with the request's addresses: it copies the op's constants in and returns its run. */
  request(request: WasmArenaRequest, bind: (at: WasmPlacement) => () => void): WasmOp {
    if (this.memory) throw new Error('wasm arena: an op asked for memory after the arena was committed');
    const op: WasmOp = { run: notCommitted };
    this.requests.push({ request, place: (at) => (op.run = bind(at)) });
    return op;
  }

  /** Lays out every persistent block one after another (address 0 stays unused), then each scratch region once, as
   * large as its largest user; instantiates the module on that memory and places every request. */
  commit(): void {
    if (this.memory) throw new Error('wasm arena: committed twice');
    let next = 16;
    const blocks = this.requests.map(({ request }) =>
      request.persistent.map((bytes) => {
        const at = next;
        next += align16(bytes);
        return at;
      }),
    );
    const scratch = {} as Record<ScratchRegion, number>;
    for (const region of REGIONS) {
      scratch[region] = next;
      next += align16(this.requests.reduce((most, { request }) => Math.max(most, request.scratch[region] ?? 0), 0));
    }
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(next / PAGE)) });
    const instance = new WebAssembly.Instance(this.module, { env: { memory } });
    const exports = instance.exports as unknown as WasmExports;
    this.memory = memory;
    this.requests.forEach(({ place }, i) => place({ buffer: memory.buffer, exports, blocks: blocks[i]!, scratch }));
  }

  /** Bytes of the wasm memory: every op's persistent blocks and the scratch regions (0 before commit). */
  get bytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }
}
