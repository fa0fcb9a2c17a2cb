// The wasm training kernels as trainers get them: train/wasm built with fused multiply-add (relaxed SIMD).
import './kernels-wasm-cases.ts';
