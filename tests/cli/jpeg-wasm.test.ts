// The CLI installs jpeg.wasm for every command (so `preprocess` and the trainer decode as the worker does), and
// RESNET_EDGE_JPEG_SCANS=typescript takes it out again.
import { afterEach, expect, it } from 'vitest';
import { jpegWasmModule, setJpegWasmModule } from '@resnet-edge/shared/image/jpeg/scan-wasm';
import { installJpegWasm } from '../../cli/src/jpeg-wasm.ts';

afterEach(() => setJpegWasmModule(null));

it('compiles shared/wasm/jpeg.wasm and installs it; RESNET_EDGE_JPEG_SCANS=typescript keeps scan-fast.ts', () => {
  installJpegWasm({});
  const module = jpegWasmModule();
  expect(module).toBeInstanceOf(WebAssembly.Module);
  const instance = new WebAssembly.Instance(module!, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  expect(typeof instance.exports.decodeScan).toBe('function');
  installJpegWasm({ RESNET_EDGE_JPEG_SCANS: 'typescript' });
  expect(jpegWasmModule()).toBeNull();
});
