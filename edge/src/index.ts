// Worker entry: Cloudflare calls `fetch` with each request and `scheduled` on each cron tick, with the bindings
// of edge/wrangler.toml.
import convWasm from '@resnet-edge/shared/wasm/conv.wasm';
import inflateWasm from '@resnet-edge/shared/wasm/inflate.wasm';
import jpegWasm from '@resnet-edge/shared/wasm/jpeg.wasm';
import webpFilterWasm from '@resnet-edge/shared/wasm/webp-filter.wasm';
import { setJpegWasmModule } from '@resnet-edge/shared/image/jpeg/scan-wasm';
import { setPngInflateWasmModule } from '@resnet-edge/shared/image/png/inflate-wasm';
import { setWebpFilterWasmModule } from '@resnet-edge/shared/image/webp/vp8/filter-wasm';
import { setInt8WasmModule } from '@resnet-edge/shared/tflite/wasm-arena';
import { createApp } from './app.ts';
import { runRetrainCron } from './cron/scheduled.ts';
import type { Env } from './env.ts';

// conv.wasm arrives compiled (wrangler's CompiledWasm module rule): convolutions run on WebAssembly SIMD.
setInt8WasmModule(convWasm);
// jpeg.wasm likewise: JPEG entropy decoding runs in WebAssembly, as in the CLI and the trainer (same bytes out).
setJpegWasmModule(jpegWasm);
// webp-filter.wasm: the VP8 loop filter of lossy WebP runs on WebAssembly SIMD (same pixels as loop-filter.ts).
setWebpFilterWasmModule(webpFilterWasm);
// inflate.wasm: PNG image data is inflated and unfiltered in WebAssembly (same rows as inflate.ts + scanline.ts).
setPngInflateWasmModule(inflateWasm);
const app = createApp();

export default {
  fetch: app.fetch,
  // Awaited, not waitUntil: a failure then marks the cron run as failed in Cloudflare's dashboard.
  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    await runRetrainCron(env);
  },
};
