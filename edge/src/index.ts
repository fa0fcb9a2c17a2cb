// Worker entry: Cloudflare calls `fetch` with each request and `scheduled` on each cron tick, with the bindings
// of edge/wrangler.toml.
import dotWasm from '@resnet-edge/shared/wasm/dot.wasm';
import { setInt8WasmModule } from '@resnet-edge/shared/tflite/wasm-dot';
import { createApp } from './app.ts';
import { runRetrainCron } from './cron/scheduled.ts';
import type { Env } from './env.ts';

// dot.wasm arrives compiled (wrangler's CompiledWasm module rule): convolutions run on WebAssembly SIMD.
setInt8WasmModule(dotWasm);
const app = createApp();

export default {
  fetch: app.fetch,
  // Awaited, not waitUntil: a failure then marks the cron run as failed in Cloudflare's dashboard.
  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    await runRetrainCron(env);
  },
};
