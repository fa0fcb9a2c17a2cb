// The CLI installs conv.wasm, jpeg.wasm, webp-filter.wasm and inflate.wasm for every command (so local classify, `preprocess` and
// the trainer run what the worker runs), and each opt-out variable takes its module out again.
import { afterEach, expect, it } from 'vitest';
import { jpegWasmModule, setJpegWasmModule } from '@resnet-edge/shared/image/jpeg/scan-wasm';
import { pngInflateWasmModule, setPngInflateWasmModule } from '@resnet-edge/shared/image/png/inflate-wasm';
import { setWebpFilterWasmModule, webpFilterWasmModule } from '@resnet-edge/shared/image/webp/vp8/filter-wasm';
import { int8WasmModule, setInt8WasmModule } from '@resnet-edge/shared/tflite/wasm-arena';
import { installWasmModules } from '../../cli/src/wasm-modules.ts';

afterEach(() => {
  setInt8WasmModule(null);
  setJpegWasmModule(null);
  setWebpFilterWasmModule(null);
  setPngInflateWasmModule(null);
});

const exportsOf = (module: WebAssembly.Module | null): string[] => {
  expect(module).toBeInstanceOf(WebAssembly.Module);
  const memory = new WebAssembly.Memory({ initial: 1 });
  return Object.keys(new WebAssembly.Instance(module!, { env: { memory } }).exports);
};

it('compiles and installs each module, each with the entry points its host calls', () => {
  installWasmModules({});
  expect(exportsOf(int8WasmModule())).toContain('conv');
  expect(exportsOf(jpegWasmModule())).toContain('decodeScan');
  expect(exportsOf(webpFilterWasmModule())).toContain('filterRow');
  expect(exportsOf(pngInflateWasmModule())).toEqual(expect.arrayContaining(['start', 'input', 'run', 'nextRow']));
});

it('RESNET_EDGE_INT8_KERNELS / _JPEG_SCANS / _WEBP_FILTER / _PNG_INFLATE=typescript keep the TypeScript paths, one at a time', () => {
  installWasmModules({ RESNET_EDGE_JPEG_SCANS: 'typescript' });
  expect(jpegWasmModule()).toBeNull();
  expect(int8WasmModule()).not.toBeNull();
  installWasmModules({ RESNET_EDGE_INT8_KERNELS: 'typescript', RESNET_EDGE_WEBP_FILTER: 'typescript' });
  expect([int8WasmModule(), webpFilterWasmModule()]).toEqual([null, null]);
  expect(jpegWasmModule()).not.toBeNull();
  expect(pngInflateWasmModule()).not.toBeNull();
  installWasmModules({ RESNET_EDGE_PNG_INFLATE: 'typescript' });
  expect(pngInflateWasmModule()).toBeNull();
  expect(webpFilterWasmModule()).not.toBeNull();
});
