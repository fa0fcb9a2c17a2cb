// Our worker on bare workerd: the bundle `wrangler deploy --dry-run` builds (what would be deployed), its wasm
// modules, the top-level [vars] of edge/wrangler.toml, and MODELS as a wrapped binding (r2-disk.js) over a disk
// folder holding the fuzz's tiny published model. No Miniflare, no wrangler proxy, no service-binding hop in front
// of the worker: the host that tells the worker's own memory from the local stack's (BENCHMARKS.md, HTTP-layer fuzz).
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publishModel } from '../../../registry/src/publish.ts';
import type { ObjectStore } from '../../../registry/src/store.ts';
import { makeManifest } from '../publish.ts';
import { tinyModel } from '../tiny-model.ts';

const here = dirname(fileURLToPath(import.meta.url));
const EDGE_DIR = join(here, '..', '..', '..', 'edge');

/** The workerd binary wrangler installs (the runtime `wrangler dev` runs). */
export function workerdBinary(): string {
  const wrangler = createRequire(join(EDGE_DIR, 'package.json')).resolve('wrangler/package.json');
  const workerd = createRequire(wrangler).resolve('workerd/package.json');
  return join(dirname(workerd), '..', '@cloudflare', 'workerd-linux-64', 'bin', 'workerd');
}

export interface BareWorker {
  /** The workerd process. */
  pid: number;
  stop(): Promise<void>;
}

/** A folder as an ObjectStore, enough for publishModel to lay out a version and its pointer. */
function folderStore(root: string): ObjectStore {
  const path = (key: string) => join(root, ...key.split('/'));
  const read = (key: string) => {
    try {
      return new Uint8Array(readFileSync(path(key)));
    } catch {
      return null;
    }
  };
  return {
    describe: `folder:${root}`,
    get: async (key) => {
      const bytes = read(key);
      return bytes && { bytes, etag: String(bytes.length) };
    },
    head: async (key) => {
      const bytes = read(key);
      return bytes && { etag: String(bytes.length), size: bytes.length };
    },
    put: async (key, bytes) => {
      mkdirSync(dirname(path(key)), { recursive: true });
      writeFileSync(path(key), bytes);
      return { etag: String(bytes.length) };
    },
    list: async () => [],
    delete: async (key) => rmSync(path(key), { force: true }),
    close: async () => {},
  };
}

function wranglerVars(): Record<string, string> {
  const toml = readFileSync(join(EDGE_DIR, 'wrangler.toml'), 'utf8');
  const top = toml.slice(toml.indexOf('\n[vars]'), toml.indexOf('\n[', toml.indexOf('\n[vars]') + 1));
  return Object.fromEntries([...top.matchAll(/^(\w+) = "([^"]*)"$/gm)].map((m) => [m[1]!, m[2]!]));
}

const text = (value: string) => JSON.stringify(value);

/**
 * The bundle's entry wrapped so that V8 collects all garbage after every `every`-th answer (workerd started with
 * `--expose-gc`): a way to tell memory the worker keeps from garbage V8 has not collected yet, which a
 * deployed isolate collects when it nears its limit.
 */
export function collectingEntry(every: number, entry = './index.js'): string {
  return `import worker from '${entry}';
let answered = 0;
export default {
  ...worker,
  async fetch(request, env, ctx) {
    try {
      return await worker.fetch(request, env, ctx);
    } finally {
      if (++answered % ${every} === 0) gc();
    }
  },
};
`;
}

export async function startBareWorker(opts: {
  port: number;
  vars?: Record<string, string>;
  inspectorPort?: number;
  /** Run a full garbage collection after every N-th answer (see collectingEntry; the deploy bundle itself is unchanged). */
  collectGarbageEvery?: number;
  /** Extra V8 flags for the isolate (e.g. lower tier-up thresholds, so optimised code runs after a few requests). */
  v8Flags?: string[];
}): Promise<BareWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'ours-workerd-'));
  const bundle = join(dir, 'bundle');
  const wrangler = join(dirname(createRequire(join(EDGE_DIR, 'package.json')).resolve('wrangler/package.json')));
  execFileSync(process.execPath, [join(wrangler, 'bin', 'wrangler.js'), 'deploy', '--dry-run', '--outdir', bundle], {
    cwd: EDGE_DIR,
    stdio: 'ignore',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
  });
  copyFileSync(join(here, 'r2-disk.js'), join(bundle, 'r2-disk.js'));
  const collect = opts.collectGarbageEvery;
  if (collect) writeFileSync(join(bundle, 'collecting.js'), collectingEntry(collect));
  const v8Flags = [...(collect ? ['--expose-gc'] : []), ...(opts.v8Flags ?? [])];

  const models = join(dir, 'models');
  const modelDir = join(dir, 'model');
  mkdirSync(modelDir);
  const model = tinyModel(1);
  writeFileSync(join(modelDir, 'model.tflite'), model);
  writeFileSync(join(modelDir, 'manifest.json'), (await makeManifest('fashion-mnist', '1.0.0', model)).manifestBytes);
  await publishModel(folderStore(models), modelDir, { by: 'bench/ours-workerd' });

  const vars = { ...wranglerVars(), ADMIN_TOKEN: 'bench', FEEDBACK_SALT: 'bench', ...opts.vars };
  const wasm = readdirSync(bundle).filter((f) => f.endsWith('.wasm'));
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .edge), (name = "models", disk = (path = ${text(models)}, writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:${opts.port}", http = (), service = "main") ],
${v8Flags.length ? `  v8Flags = [ ${v8Flags.map(text).join(', ')} ],\n` : ''}  extensions = [ (modules = [ (name = "r2-disk", esModule = embed "bundle/r2-disk.js", internal = true) ]) ],
);
const edge :Workerd.Worker = (
  modules = [
${collect ? '    (name = "collecting.js", esModule = embed "bundle/collecting.js"),\n' : ''}    (name = "index.js", esModule = embed "bundle/index.js"),
${wasm.map((f) => `    (name = ${text(f)}, wasm = embed ${text(`bundle/${f}`)}),`).join('\n')}
  ],
  bindings = [
    (name = "MODELS", wrapped = (moduleName = "r2-disk", innerBindings = [ (name = "disk", service = "models") ])),
${Object.entries(vars)
  .map(([name, value]) => `    (name = ${text(name)}, text = ${text(value)}),`)
  .join('\n')}
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  const args = ['serve', '--experimental', join(dir, 'config.capnp')];
  if (opts.inspectorPort) args.push(`--inspector-addr=127.0.0.1:${opts.inspectorPort}`);
  const child = spawn(workerdBinary(), args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const health = await fetch(`http://127.0.0.1:${opts.port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (health.ok) break;
      throw new Error(`/healthz answered ${health.status}: ${(await health.text()).slice(0, 300)}`);
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw error;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGINT');
      }),
  };
}
