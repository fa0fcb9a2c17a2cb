// Training kernels for the tfjs wasm backend, in WebAssembly SIMD (AssemblyScript; `npm run build:wasm -w
// train` builds the committed kernels.wasm). The module imports the backend's own memory, so it reads and writes
// tensors where they lie: the host (train/src/backends/wasm-kernels/train-module.ts) passes heap offsets. It has
// no static data, so instantiating it writes nothing into the backend's memory.
export { bnStats, channelAffine, bnGradSums, bnGradInput } from './batch-norm';
export { reluGrad } from './activation';
export { convBackpropFilter } from './conv-filter-grad';
export { convForward, spread } from './conv-forward';
