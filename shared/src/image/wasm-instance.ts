// The host side every decoder wasm module shares (jpeg.wasm, webp-filter.wasm, inflate.wasm): the host installs the compiled
// module (workerd imports it, Node compiles the file), so shared code never compiles bytes; one instance over one
// growable memory then serves every decode, grown to what a decode needs and dropped after a decode that made it
// larger than `keepBytes`, so one huge image does not pin its memory for the isolate's life.
const PAGE = 65536;

export class ReusedWasmInstance<Exports> {
  private installed: WebAssembly.Module | null = null;
  private cached: { module: WebAssembly.Module; memory: WebAssembly.Memory; exports: Exports } | null = null;

  constructor(private readonly keepBytes: number) {}

  /** The module decodes use from now on (null: their TypeScript path). */
  install(module: WebAssembly.Module | null): void {
    this.installed = module;
  }

  get module(): WebAssembly.Module | null {
    return this.installed;
  }

  /** `module`'s instance, its memory grown to at least `bytes` (growing detaches views of the old buffer). */
  acquire(module: WebAssembly.Module, bytes: number): { memory: WebAssembly.Memory; exports: Exports } {
    if (this.cached?.module !== module) {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      this.cached = { module, memory, exports: instance.exports as unknown as Exports };
    }
    const have = this.cached.memory.buffer.byteLength;
    if (bytes > have) this.cached.memory.grow(Math.ceil((bytes - have) / PAGE));
    return this.cached;
  }

  /** After a decode: forget a memory past `keepBytes` (the decode's views keep it alive until they go). */
  release(): void {
    if (this.memoryBytes > this.keepBytes) this.cached = null;
  }

  /** Bytes of the memory kept for the next decode (0 when none is): what the memory tests watch. */
  get memoryBytes(): number {
    return this.cached?.memory.buffer.byteLength ?? 0;
  }
}
