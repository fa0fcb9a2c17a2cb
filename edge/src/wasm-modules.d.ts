// wrangler bundles `*.wasm` imports as CompiledWasm modules: the default export is a compiled WebAssembly.Module.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
