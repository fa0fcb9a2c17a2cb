// Starts the edge worker locally with `wrangler dev` (real workerd) over a persisted local R2 folder — the
// same folder the registry's r2-local store writes — and waits until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../train/src/data/presets.ts';
import { startHttpFront } from './http-front.ts';

export interface LocalWorker {
  url: string;
  adminToken: string;
  /** The wrangler process (workerd runs as its child). */
  pid: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  persistTo: string;
  modelName?: string;
  log?: (line: string) => void;
  /** How long to wait for the first answer. */
  timeoutMs?: number;
  /** Listen through the HTTP front (http-front.ts) that answers malformed requests as Cloudflare's edge would. */
  front?: boolean;
  /** Extra [vars] for this run (`--var NAME:VALUE`). */
  vars?: Record<string, string>;
  /** Port of wrangler's DevTools inspector proxy (default 9229); benchmarks read the isolate's heap there. */
  inspectorPort?: number;
}

/** A port on 127.0.0.1 that was free a moment ago (for wrangler behind the front). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const EDGE_DIR = join(REPO_ROOT, 'edge');
/** MAX_UPLOAD_BYTES of edge/wrangler.toml's local [vars] (and the worker's default). */
const WRANGLER_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

function wranglerBin(): string {
  const require = createRequire(join(EDGE_DIR, 'package.json'));
  return join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

export async function startLocalWorker(opts: StartOptions): Promise<LocalWorker> {
  const adminToken = randomBytes(18).toString('base64url');
  const workerPort = opts.front ? await freePort() : opts.port;
  const args = [
    wranglerBin(),
    'dev',
    '--local',
    '--ip',
    '127.0.0.1',
    '--port',
    String(workerPort),
    '--persist-to',
    opts.persistTo,
    '--var',
    `ADMIN_TOKEN:${adminToken}`,
    '--show-interactive-dev-session=false',
    ...(opts.modelName ? ['--var', `MODEL_NAME:${opts.modelName}`] : []),
    ...(opts.inspectorPort ? ['--inspector-port', String(opts.inspectorPort)] : []),
    ...Object.entries(opts.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: EDGE_DIR,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? '1', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line.trim()) opts.log?.(`wrangler: ${line.trimEnd()}`);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  let stop = () => stopChild(child);
  try {
    await waitUntilAnswering(workerUrl, child, opts.timeoutMs ?? 60_000, () => output);
    if (opts.front) {
      const maxUploadBytes = Number(opts.vars?.MAX_UPLOAD_BYTES ?? WRANGLER_MAX_UPLOAD_BYTES);
      const front = await startHttpFront({
        host: '127.0.0.1',
        port: opts.port,
        upstream: { host: '127.0.0.1', port: workerPort },
        maxUploadBytes,
      });
      stop = () => front.close().then(() => stopChild(child));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${opts.port}`, adminToken, pid: child.pid!, stop };
}

async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`wrangler dev exited with code ${child.exitCode}:\n${output().slice(-2000)}`);
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      return; // any HTTP answer (even 503: no model yet) means the worker is up
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs} ms:\n${output().slice(-2000)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGINT');
  });
}

export async function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
