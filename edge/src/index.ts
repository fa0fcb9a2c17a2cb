// Worker entry: Cloudflare calls `fetch` with the request and the bindings of edge/wrangler.toml.
import { createApp } from './app.ts';

const app = createApp();

export default { fetch: app.fetch };
