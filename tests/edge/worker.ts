// The real worker in real workerd: edge/src/index.ts bundled by esbuild as wrangler would, run by Miniflare with
// an R2 binding. Tests seed R2 with real objects and send real requests; nothing of the worker is replaced.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_TOKEN = 'test-token';
export const MAX_UPLOAD_BYTES = 1_048_576;

let bundle: Promise<string> | undefined;

/** shared/'s .wasm files stay separate modules, as wrangler ships them (CompiledWasm modules beside the script). */
const WASM_MODULES = ['conv.wasm', 'jpeg.wasm', 'webp-filter.wasm', 'inflate.wasm'];
const wasmExternal = {
  name: 'wasm-modules',
  setup(b: {
    onResolve(o: { filter: RegExp }, cb: (a: { path: string }) => { path: string; external: boolean }): void;
  }) {
    b.onResolve({ filter: /\.wasm$/ }, ({ path }) => ({ path: `./${path.split('/').pop()!}`, external: true }));
  },
};

/** The worker's modules as wrangler deploys them: the bundled script and shared/'s .wasm files. */
export async function workerModules(): Promise<
  { type: 'ESModule' | 'CompiledWasm'; path: string; contents: string | Uint8Array }[]
> {
  const wasm = await Promise.all(
    WASM_MODULES.map(async (name) => ({
      type: 'CompiledWasm' as const,
      path: join(REPO, 'edge', name),
      contents: new Uint8Array(await readFile(join(REPO, 'shared', 'wasm', name))),
    })),
  );
  return [{ type: 'ESModule', path: join(REPO, 'edge', 'worker.mjs'), contents: await workerScript() }, ...wasm];
}

/** The worker as one ES module, built once per test file. */
export function workerScript(): Promise<string> {
  bundle ??= build({
    plugins: [wasmExternal],
    entryPoints: [join(REPO, 'edge', 'src', 'index.ts')],
    bundle: true,
    format: 'esm',
    // As wrangler bundles: browser builds of dependencies (the AWS SDK's fetch-based one), never Node's.
    platform: 'browser',
    mainFields: ['browser', 'module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  }).then((result) => result.outputFiles[0]!.text);
  return bundle;
}

export interface TestWorker {
  mf: Miniflare;
  /** http://127.0.0.1:PORT when started with `listen`. */
  url: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  put(key: string, bytes: Uint8Array | string): Promise<void>;
  dispose(): Promise<void>;
}

export async function startWorker(
  bindings: Record<string, string> = {},
  opts: { listen?: boolean } = {},
): Promise<TestWorker> {
  const mf = new Miniflare({
    // Only a real browser needs a real socket; other tests use dispatchFetch.
    ...(opts.listen ? { host: '127.0.0.1', port: 0 } : {}),
    modules: await workerModules(),
    compatibilityDate: '2025-09-01',
    r2Buckets: { MODELS: 'resnet-edge-models' },
    bindings: {
      MODEL_NAME: 'fashion-mnist',
      RECHECK_SECONDS: '1',
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      MAX_PIXELS: '12000000',
      ADMIN_TOKEN,
      ...bindings,
    },
  });
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const bucket = await mf.getR2Bucket('MODELS');
  return {
    mf,
    url,
    fetch(path, init = {}) {
      // dispatchFetch sends byte bodies chunked; declare their length as a browser or curl would.
      const headers = new Headers(init.headers);
      if (init.body instanceof Uint8Array && !headers.has('content-length'))
        headers.set('content-length', String(init.body.byteLength));
      return mf.dispatchFetch(`http://localhost${path}`, { ...init, headers } as never) as unknown as Promise<Response>;
    },
    async put(key, bytes) {
      const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
      // Miniflare's R2 wants a plain ArrayBuffer, not a view over a pooled Buffer.
      await bucket.put(key, data.slice().buffer as ArrayBuffer);
    },
    dispose: () => mf.dispose(),
  };
}

export function fixture(...parts: string[]): Promise<Uint8Array> {
  return readFile(join(REPO, ...parts)).then((b) => new Uint8Array(b));
}

/** A multipart/form-data body with the image in field `file`, as bytes plus its Content-Type (with boundary). */
export async function multipart(
  fields: Record<string, Uint8Array | string>,
): Promise<{ body: Uint8Array; type: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.slice()]), `${name}.bin`);
  }
  // Encoded here because Miniflare's own fetch does not recognise Node's FormData as a body.
  const encoded = new Response(form);
  return { body: new Uint8Array(await encoded.arrayBuffer()), type: encoded.headers.get('content-type')! };
}

/** Every refusal is `{ error: { code, message } }` and never leaks a stack trace. */
export async function expectError(
  response: Response,
  status: number,
  code: string,
): Promise<{ code: string; message: string }> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`expected ${status} ${code}, got ${response.status}: ${text}`);
  if (/\bat .+:\d+:\d+/.test(text)) throw new Error(`response leaks a stack trace: ${text}`);
  const body = JSON.parse(text) as { error?: { code: string; message: string } };
  if (body.error?.code !== code || typeof body.error.message !== 'string' || body.error.message === '') {
    throw new Error(`expected error code ${code}, got ${text}`);
  }
  return body.error;
}
