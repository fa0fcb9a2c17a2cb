// The same checks with the plain SIMD build (RESNET_EDGE_WASM_FMA=0): what runs where relaxed SIMD is missing.
process.env['RESNET_EDGE_WASM_FMA'] = '0';
await import('./kernels-wasm-cases.ts');
export {};
