// Starts the edge worker locally with `wrangler dev` (real workerd) over a persisted local R2 folder — the
// same folder the registry's r2-local store writes — and waits until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../train/src/data/presets.ts';

export interface LocalWorker {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  port: number;
  persistTo: string;
  modelName?: string;
  log?: (line: string) => void;
  /** How long to wait for the first answer. */
  timeoutMs?: number;
}

const EDGE_DIR = join(REPO_ROOT, 'edge');

function wranglerBin(): string {
  const require = createRequire(join(EDGE_DIR, 'package.json'));
  return join(dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');
}

export async function startLocalWorker(opts: StartOptions): Promise<LocalWorker> {
  const adminToken = randomBytes(18).toString('base64url');
  const args = [
    wranglerBin(), 'dev', '--local', '--ip', '127.0.0.1', '--port', String(opts.port),
    '--persist-to', opts.persistTo, '--var', `ADMIN_TOKEN:${adminToken}`, '--show-interactive-dev-session=false',
    ...(opts.modelName ? ['--var', `MODEL_NAME:${opts.modelName}`] : []),
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
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = () => stopChild(child);
  try {
    await waitUntilAnswering(url, child, opts.timeoutMs ?? 60_000, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, adminToken, stop };
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}:\n${output().slice(-2000)}`);
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
