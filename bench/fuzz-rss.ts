// `npm run bench -- fuzz-rss [--host workerd|workerd-hop|wrangler|ours] [--count 20000] [--block 2000] [--concurrency 8]
//   [--families a,b] [--vars NAME=VALUE,…] [--gc-every N] [--v8-flags="--a --b"]`
// Where workerd's RSS growth under the fuzz comes from (issue 14). The same fuzz traffic (families without
// `framing`, whose Content-Length junk bare workerd answers with plain-text errors and hangs) goes to:
//   workerd  — the 20-line body reader of bench/rss-repro/ in bare workerd (its capnp config, no inspector);
//   workerd-hop — the same, behind a one-line forwarder over a service binding (workerd-hop.capnp);
//   wrangler — the same body reader under `wrangler dev` (proxy workerd + user workerd with the inspector);
//   ours     — our worker, as `npm run bench -- fuzz` starts it (front + wrangler dev), without a heap sampler;
//   ours-workerd — our worker's deploy bundle on bare workerd (tests/edge/bare-workerd/host.ts), MODELS over a disk
//                  folder, no hop in front; the isolate's heap is read through workerd's inspector.
// With `--gc-every N` (ours-workerd and workerd), V8 collects all garbage after every N-th answer: what is left is
// what the worker and the runtime keep, not garbage waiting for V8's next major collection.
// `--v8-flags="…"` (ours-workerd) passes V8 flags to the isolate, e.g. "--invocation-count-for-turbofan=50
// --invocation-count-for-maglev=20", so that optimised code runs after a few requests instead of thousands (what
// exposed the shared-load hang, BENCHMARKS.md).
// Prints the summed workerd RSS per block, then each workerd process's RSS per block (wrangler dev runs two: the
// proxy, which listens on the public port, and the user worker behind it).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeCases, type Family } from '../tests/edge/fuzz/cases.ts';
import { runFuzz } from '../tests/edge/fuzz/run.ts';
import { FUZZ_UPLOAD_LIMIT, startFuzzStack } from '../tests/edge/fuzz/stack.ts';
import { sampleIsolateHeap, type HeapSampler } from '../tests/edge/isolate-inspector.ts';
import { collectingEntry, startBareWorker, workerdBinary } from '../tests/edge/bare-workerd/host.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: 'workerd' },
    count: { type: 'string', default: '20000' },
    block: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    families: { type: 'string' },
    vars: { type: 'string', default: '' },
    'gc-every': { type: 'string' },
    'v8-flags': { type: 'string' },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const repro = join(here, 'rss-repro');
const PORT = 8951; // bench/rss-repro/workerd.capnp listens here
const INSPECTOR_PORT = 9339;
let heap: HeapSampler | undefined;
const FAMILIES = (values.families?.split(',') ?? ['mutate', 'multipart', 'chunked', 'query']) as Family[];
/** Extra worker vars for --host ours-workerd, NAME=VALUE,… (e.g. MAX_PIXELS=1: every image refused at its header). */
const EXTRA_VARS = Object.fromEntries(
  values
    .vars!.split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);

async function startHost(host: string): Promise<() => Promise<void>> {
  if (host === 'ours-workerd') {
    const worker = await startBareWorker({
      port: PORT,
      inspectorPort: INSPECTOR_PORT,
      vars: { MAX_UPLOAD_BYTES: String(FUZZ_UPLOAD_LIMIT), FEEDBACK_PER_MINUTE: '100000', ...EXTRA_VARS },
      ...(values['gc-every'] ? { collectGarbageEvery: Number(values['gc-every']) } : {}),
      ...(values['v8-flags'] ? { v8Flags: values['v8-flags'].split(/\s+/).filter(Boolean) } : {}),
    });
    heap = await sampleIsolateHeap(INSPECTOR_PORT, 1000, 'main');
    return () => worker.stop();
  }
  if (host === 'ours') {
    const stack = await startFuzzStack(PORT);
    return () => stack.stop();
  }
  const child =
    host === 'workerd' || host === 'workerd-hop'
      ? spawn(workerdBinary(), ['serve', '--experimental', reproConfig(host)], { stdio: 'ignore' })
      : spawn(
          process.execPath,
          [
            join(here, '..', 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
            'dev',
            '--local',
            '--ip',
            '127.0.0.1',
            '--port',
            String(PORT),
            '--show-interactive-dev-session=false',
          ],
          { cwd: repro, stdio: 'ignore', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' } },
        );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${PORT}/`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return () =>
    new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
}

/**
 * The reproduction's capnp config; with `--gc-every N` (bare `workerd` only) a copy in a temp folder whose reader is
 * wrapped as startBareWorker wraps our bundle, so both sides collect garbage on the same schedule.
 */
function reproConfig(host: string): string {
  const config = join(repro, `${host}.capnp`);
  const every = Number(values['gc-every'] ?? 0);
  if (!every) return config;
  if (host !== 'workerd') throw new Error('--gc-every works with --host workerd and ours-workerd');
  const dir = mkdtempSync(join(tmpdir(), 'rss-repro-'));
  copyFileSync(join(repro, 'worker.js'), join(dir, 'worker.js'));
  writeFileSync(join(dir, 'collecting.js'), collectingEntry(every, './worker.js'));
  const text = readFileSync(config, 'utf8')
    .replace('sockets = [', 'v8Flags = [ "--expose-gc" ],\n  sockets = [')
    .replace(
      'modules = [ (name = "worker.js"',
      'modules = [ (name = "collecting.js", esModule = embed "collecting.js"), (name = "worker.js"',
    );
  writeFileSync(join(dir, 'workerd.capnp'), text);
  return join(dir, 'workerd.capnp');
}

/** RSS (MiB) of each workerd process below this one, named by the first socket it serves. */
function perProcessRss(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of workerdBelowUs()) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const socket = args.find((a) => a.startsWith('--socket-addr='))?.slice('--socket-addr='.length) ?? 'serve';
      const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      out.set(`${pid} ${socket}`, kib / 1024);
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** workerd processes whose ancestry reaches this process (Linux /proc). */
function workerdBelowUs(): number[] {
  const parent = new Map<number, number>();
  const workerd: number[] = [];
  for (const entry of readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      parent.set(entry, Number(stat.slice(close + 2).split(' ')[1]));
      if (stat.slice(stat.indexOf('(') + 1, close) === 'workerd') workerd.push(entry);
    } catch {
      // gone
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return workerd.filter(below);
}

const stop = await startHost(values.host!);
const perBlock: Map<string, number>[] = [];
let sent = 0;
const count = Number(values.count);
function* cases() {
  for (const c of makeCases(14, count, FAMILIES, { uploadLimit: FUZZ_UPLOAD_LIMIT })) {
    sent++;
    yield c;
  }
}
let report;
try {
  const sampler = setInterval(() => {
    if (sent >= (perBlock.length + 1) * Number(values.block)) perBlock.push(perProcessRss());
  }, 200);
  report = await runFuzz(cases(), {
    url: `http://127.0.0.1:${PORT}`,
    concurrency: Number(values.concurrency),
    timeoutMs: 30_000,
    budgetMs: 30 * 60_000,
    blockSize: Number(values.block),
    wranglerPid: process.pid,
    ...(heap ? { isolateHeapMiB: () => heap!.latest() } : {}),
  });
  clearInterval(sampler);
  if (perBlock.length < report.blocks.length) perBlock.push(perProcessRss());
} finally {
  heap?.close();
  await stop();
}
console.log(
  `\nfuzz-rss --host ${values.host}${values['gc-every'] ? ` --gc-every ${values['gc-every']}` : ''}${values['v8-flags'] ? ` --v8-flags "${values['v8-flags']}"` : ''}: ${report.outcomes.length} requests (families ${FAMILIES.join(',')}) in ${report.seconds.toFixed(0)} s, verdicts ${JSON.stringify(report.byVerdict)}; load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`workerd RSS per ${values.block} (sum), MiB: ${report.blocks.map((b) => b.rssMiB?.toFixed(0)).join(' ')}`);
if (heap) {
  const used = report.blocks.map((b) => b.heapMiB?.used.toFixed(0) ?? '—').join(' ');
  console.log(
    `isolate JS heap per ${values.block}, MiB used: ${used}; reserved: ${report.blocks.map((b) => b.heapMiB?.total.toFixed(0) ?? '—').join(' ')}`,
  );
}
const names = [...new Set(perBlock.flatMap((m) => [...m.keys()]))];
for (const name of names) console.log(`  ${name}: ${perBlock.map((m) => m.get(name)?.toFixed(0) ?? '—').join(' ')}`);
for (const f of report.failures.slice(0, 10)) {
  console.log(
    `  failed: case ${f.case.id} (${f.case.family}) ${f.verdict} ${f.status} after ${f.ms.toFixed(0)} ms: ${f.detail}`,
  );
}
