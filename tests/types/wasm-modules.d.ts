// Test workers import .wasm files as the edge worker does (a compiled WebAssembly.Module, see edge/src/wasm-modules.d.ts).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
