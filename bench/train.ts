// Training throughput of each TF.js backend, side by side with PyTorch on the same CPU in the same run.
//
//   npx tsx bench/train.ts                       ResNet-20 32×32×3, batch 64
//   npx tsx bench/train.ts --arch resnet18 --size 112 --batch 32
//   options: --channels 1 (e.g. --size 28 for Fashion-MNIST shapes), --steps N (timed steps, default 5),
//            --only wasm,wasm-2 (subset of rows), --cpu-batch N (the cpu row's batch, default 8: the pure-JS
//            backend needs minutes per batch-64 step; its img/s barely depends on batch size)
//
// Each row runs in its own child process, so kernel patches and peak RSS do not leak between rows.
// Nothing is installed: without PyTorch the script says how to get it and leaves that column out.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as os from 'node:os';

interface Config {
  arch: string;
  size: number;
  channels: number;
  batch: number;
  steps: number;
  /** Gradient workers of the wasm-2 row (default 2). */
  workers?: number;
}

type RowName = 'cpu' | 'wasm-stock' | 'wasm' | 'wasm-2' | 'webgpu' | 'pytorch-1' | 'pytorch';
const ROWS: Record<RowName, string> = {
  cpu: 'tfjs cpu (pure JS)',
  'wasm-stock': 'tfjs wasm 4.22 as shipped',
  wasm: 'tfjs wasm, patched, 1 thread',
  'wasm-2': 'tfjs wasm, patched, 2 workers',
  webgpu: 'tfjs webgpu (Dawn, software Vulkan)',
  'pytorch-1': 'PyTorch CPU, 1 thread',
  pytorch: 'PyTorch CPU, 2 threads',
};

interface RowResult {
  row: RowName;
  batch?: number;
  imgPerSec?: number;
  msPerStep?: number;
  peakRssMiB?: number;
  detail?: string;
  error?: string;
}

const NUM_CLASSES = 10;

// ---- child: one row ----------------------------------------------------------------------------

async function runRow(row: RowName, cfg: Config): Promise<RowResult> {
  const tf = await import('@tensorflow/tfjs-core');
  let detail = '';
  if (row === 'wasm-stock') {
    await import('@tensorflow/tfjs-backend-wasm');
    await import('@tensorflow/tfjs-layers');
    await tf.setBackend('wasm');
    detail = 'no kernel patches';
  } else {
    const { initBackend } = await import('../train/src/backends/index.ts');
    const backend = row === 'wasm-2' ? 'wasm' : (row as 'cpu' | 'wasm' | 'webgpu');
    detail = (await initBackend(backend)).detail;
  }
  const { buildModel } = await import('../train/src/models/index.ts');
  const { createLocalStep, trainableVariables } = await import('../train/src/training/step.ts');
  const { Optimizer } = await import('../train/src/training/optimizer.ts');
  const { lossFor } = await import('../train/src/training/loss.ts');
  const { createDataParallelStep } = await import('../train/src/parallel/data-parallel.ts');

  const model = buildModel(cfg.arch, { inputShape: [cfg.size, cfg.size, cfg.channels], numClasses: NUM_CLASSES });
  const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, trainableVariables(model));
  const step =
    row === 'wasm-2'
      ? await createDataParallelStep(model, optimizer, { workers: cfg.workers ?? 2 })
      : createLocalStep(model, optimizer, lossFor('softmax', 0));
  const pixels = cfg.size * cfg.size * cfg.channels;
  const batch = () => ({
    x: Float32Array.from({ length: cfg.batch * pixels }, () => Math.random()),
    y: Int32Array.from({ length: cfg.batch }, (_, i) => i % NUM_CLASSES),
    count: cfg.batch,
    shape: [cfg.size, cfg.size, cfg.channels] as [number, number, number],
  });
  try {
    await step.step(batch(), 0.01); // warm-up: kernel compilation, XNNPACK operator creation
    const inputs = Array.from({ length: cfg.steps }, batch);
    const start = performance.now();
    for (const b of inputs) await step.step(b, 0.01);
    const ms = (performance.now() - start) / cfg.steps;
    return { row, batch: cfg.batch, imgPerSec: (cfg.batch / ms) * 1000, msPerStep: ms, detail, peakRssMiB: peakRss() };
  } catch (err) {
    return {
      row,
      error: (err instanceof Error ? err.message : String(err)).split('\n')[0]!,
      detail,
      peakRssMiB: peakRss(),
    };
  } finally {
    step.dispose();
  }
}

function peakRss(): number {
  return process.resourceUsage().maxRSS / 1024; // KiB → MiB; includes worker threads (same process)
}

// ---- PyTorch -------------------------------------------------------------------------------------

const PYTHON = '/usr/bin/python3';

function runPytorch(row: 'pytorch' | 'pytorch-1', cfg: Config): RowResult {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return {
      row,
      error: `PyTorch not found for ${PYTHON}: install Debian's build with "sudo apt-get install python3-torch" to get this column`,
    };
  }
  const args = JSON.stringify({ ...cfg, row, threads: row === 'pytorch' ? 2 : 1 });
  const out = spawnSync(PYTHON, [join(import.meta.dirname, 'torch_train.py'), args], {
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as RowResult;
  } catch {
    return { row, error: (out.stderr || 'no output').trim().split('\n').pop()! };
  }
}

// ---- parent: the table -------------------------------------------------------------------------

function runChild(row: RowName, cfg: Config): RowResult {
  const script = fileURLToPath(import.meta.url);
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', script, '--child', row, '--config', JSON.stringify(cfg)],
    {
      encoding: 'utf8',
      timeout: 60 * 60_000,
      env: { ...process.env, RESNET_EDGE_ALLOW_SOFTWARE_GPU: '1' },
    },
  );
  const line = out.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (line === undefined)
    return { row, error: (out.stderr || `exit ${out.status}`).trim().split('\n').slice(-3).join(' ') };
  return JSON.parse(line) as RowResult;
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined ? '—' : n.toFixed(digits);
}

const loadBefore = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');

function printTable(cfg: Config, results: RowResult[]): void {
  const torch = results.find((r) => r.row === 'pytorch' && r.imgPerSec !== undefined);
  const torch1 = results.find((r) => r.row === 'pytorch-1' && r.imgPerSec !== undefined);
  const cpus = os.cpus();
  console.log(
    `\nTraining throughput, ${cfg.arch} ${cfg.size}×${cfg.size}×${cfg.channels}, ${NUM_CLASSES} classes, SGD momentum 0.9`,
  );
  console.log(
    `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
  );
  // The box may be shared: a busy core slows every row, and PyTorch's 2-thread row most (OpenMP barriers).
  console.log(
    `load average before/after: ${loadBefore} / ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const header = ['backend', 'batch', 'img/s', 'ms/step', '× PyTorch 2T', '× PyTorch 1T', 'peak RSS MiB', 'notes'];
  const ratio = (r: RowResult, ref: RowResult | undefined) =>
    ref && r.imgPerSec !== undefined ? `${(r.imgPerSec / ref.imgPerSec!).toFixed(3)}×` : '—';
  const rows = results.map((r) => [
    ROWS[r.row],
    r.batch === undefined ? '—' : String(r.batch),
    fmt(r.imgPerSec, r.imgPerSec !== undefined && r.imgPerSec < 1 ? 2 : 1),
    fmt(r.msPerStep, 0),
    ratio(r, torch),
    ratio(r, torch1),
    fmt(r.peakRssMiB, 0),
    r.error ? `FAILS: ${r.error}` : (r.detail ?? ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? 7 : w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      arch: { type: 'string', default: 'resnet20' },
      size: { type: 'string', default: '32' },
      channels: { type: 'string', default: '3' },
      batch: { type: 'string', default: '64' },
      steps: { type: 'string', default: '5' },
      'cpu-batch': { type: 'string', default: '8' },
      only: { type: 'string' },
      child: { type: 'string' },
      config: { type: 'string' },
    },
  });
  if (values.child) {
    const result = await runRow(values.child as RowName, JSON.parse(values.config!) as Config);
    console.log(JSON.stringify(result));
    process.exit(0); // worker threads and Dawn keep handles open
  }
  const cfg: Config = {
    arch: values.arch,
    size: Number(values.size),
    channels: Number(values.channels),
    batch: Number(values.batch),
    steps: Number(values.steps),
  };
  const wanted = (values.only?.split(',') ?? Object.keys(ROWS)) as RowName[];
  const results: RowResult[] = [];
  for (const row of wanted) {
    if (!(row in ROWS)) throw new Error(`unknown row ${row}; rows: ${Object.keys(ROWS).join(', ')}`);
    process.stderr.write(`bench: ${ROWS[row]}…\n`);
    const rowCfg =
      row === 'cpu'
        ? { ...cfg, batch: Number(values['cpu-batch']), steps: 1 }
        : row === 'webgpu'
          ? { ...cfg, steps: Math.min(cfg.steps, 2) }
          : cfg;
    results.push(row === 'pytorch' || row === 'pytorch-1' ? runPytorch(row, rowCfg) : runChild(row, rowCfg));
  }
  printTable(cfg, results);
}

await main();
