// The CLI installs webp-filter.wasm for every command (so `preprocess` and the trainer decode WebP as the worker
// does), and RESNET_EDGE_WEBP_FILTER=typescript takes it out again.
import { afterEach, expect, it } from 'vitest';
import { setWebpFilterWasmModule, webpFilterWasmModule } from '@resnet-edge/shared/image/webp/vp8/filter-wasm';
import { installWebpFilterWasm } from '../../cli/src/webp-wasm.ts';

afterEach(() => setWebpFilterWasmModule(null));

it('compiles shared/wasm/webp-filter.wasm and installs it; RESNET_EDGE_WEBP_FILTER=typescript keeps loop-filter.ts', () => {
  installWebpFilterWasm({});
  const module = webpFilterWasmModule();
  expect(module).toBeInstanceOf(WebAssembly.Module);
  const instance = new WebAssembly.Instance(module!, { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  expect(typeof instance.exports.filterRow).toBe('function');
  installWebpFilterWasm({ RESNET_EDGE_WEBP_FILTER: 'typescript' });
  expect(webpFilterWasmModule()).toBeNull();
});
