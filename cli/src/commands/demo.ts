// `resnet-edge demo` (= `npm start`): the whole chain on the bundled data, each stage being the very CLI
// command a user would type (printed as it runs): train → quantize → publish → serve → classify over HTTP.
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError, defineCommand, type CommandIO } from '../command.ts';
import { boolOpt, intOpt, stringOpt } from '../options.ts';
import { startLocalWorker, untilAborted } from '../serve-worker.ts';
import { BUNDLED_DATA, REPO_ROOT } from '../../../train/src/data/presets.ts';

const MODEL_NAME = 'fashion-mnist';

interface Prediction { label: string; score: number }
interface DemoResult {
  runDir: string;
  modelDir: string;
  store: string;
  url: string;
  version: string;
  train: unknown;
  quantize: unknown;
  classified: { file: string; truth: string; predicted: string; score: number; predictions: Prediction[] }[];
  correct: number;
}

export const demoCommand = defineCommand<DemoResult>({
  usage: 'demo [--epochs 3] [--arch resnet20] [--port 8787] [--max-drop POINTS] [--once]',
  details: `Trains a small model on data/fashion-mnist-mini, quantizes it to int8, publishes it to a local R2 store,
starts the worker with wrangler dev on 127.0.0.1 and classifies held-out images through HTTP. Then it keeps
serving until Ctrl-C (--once stops after the check). Everything goes under --workdir (default .resnet-edge/demo).`,
  options: {
    arch: { type: 'string', valueName: 'NAME', description: 'architecture to train', default: 'resnet20' },
    epochs: { type: 'string', valueName: 'N', description: 'training epochs (small budget: this is a demo)', default: '3' },
    port: { type: 'string', valueName: 'N', description: 'worker port on 127.0.0.1', default: '8787' },
    workdir: { type: 'string', valueName: 'DIR', description: 'where the run, the model and the local store go' },
    'per-class': { type: 'string', valueName: 'N', description: 'held-out images per class sent to the worker', default: '2' },
    'max-drop': { type: 'string', valueName: 'POINTS', description: 'int8 accuracy gate passed to quantize (default: quantize\'s 1.0)' },
    once: { type: 'boolean', description: 'exit after classifying instead of serving until Ctrl-C' },
  },
  async run(args, io) {
    const workdir = stringOpt(args, 'workdir') ?? join(REPO_ROOT, '.resnet-edge', 'demo');
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const runDir = join(workdir, 'runs', stamp);
    const modelDir = join(runDir, 'quantized');
    const state = join(workdir, 'wrangler-state');
    const store = `r2-local:${state}`;
    const version = `1.0.0-demo.${stamp}`;
    await mkdir(runDir, { recursive: true });

    io.log('[1/5] train');
    const train = await stage(io, ['train', '--arch', stringOpt(args, 'arch') ?? 'resnet20', '--epochs', String(intOpt(args, 'epochs', 3, { min: 1 })), '--out', runDir]);
    io.log(`      ${describeTrain(train)}`);
    io.log('[2/5] quantize');
    const maxDrop = stringOpt(args, 'max-drop');
    const quantize = await stage(io, ['quantize', '--run', runDir, '--out', modelDir, '--name', MODEL_NAME, '--version', version, ...(maxDrop ? ['--max-drop', maxDrop] : [])]);
    io.log(`      ${describeQuantize(quantize)}`);
    io.log('[3/5] publish');
    await stage(io, ['publish', modelDir, '--store', store]);
    io.log('[4/5] serve');
    const worker = await startLocalWorker({ port: intOpt(args, 'port', 8787, { min: 1, max: 65535 }), persistTo: state, modelName: MODEL_NAME });
    io.log(`      worker on ${worker.url}`);
    try {
      io.log('[5/5] classify held-out images through HTTP');
      const classified = [];
      for (const { file, truth } of await heldOut(intOpt(args, 'per-class', 2, { min: 1, max: 50 }))) {
        const res = await fetch(`${worker.url}/v1/classify?top_k=3`, { method: 'POST', body: await readFile(file) });
        const body = (await res.json()) as { predictions?: Prediction[]; error?: { code: string; message: string } };
        if (!res.ok || !body.predictions) throw new CommandError('demo_failed', `worker answered ${res.status} for ${file}: ${JSON.stringify(body)}`);
        const top = body.predictions[0]!;
        classified.push({ file: file.slice(REPO_ROOT.length + 1), truth, predicted: top.label, score: top.score, predictions: body.predictions });
        io.log(`      ${truth.padEnd(12)} → ${top.label.padEnd(12)} ${(top.score * 100).toFixed(1).padStart(5)} %  ${top.label === truth ? 'ok' : 'wrong'}`);
      }
      const correct = classified.filter((c) => c.predicted === c.truth).length;
      io.log(`      ${correct}/${classified.length} correct`);
      if (!boolOpt(args, 'once')) {
        io.log(`serving ${MODEL_NAME}@${version} on ${worker.url} (upload page at ${worker.url}/) — Ctrl-C stops`);
        await untilAborted(io.signal);
      }
      return { runDir, modelDir, store, url: worker.url, version, train, quantize, classified, correct };
    } finally {
      await worker.stop();
    }
  },
  render: (r) =>
    [
      `demo: trained ${r.runDir}`,
      `      published fashion-mnist@${r.version} to ${r.store}`,
      `      the worker classified ${r.correct}/${r.classified.length} held-out images correctly`,
    ].join('\n'),
});

/** Runs one CLI stage in-process with --json; its logs go to our stderr, its JSON result comes back. */
async function stage(io: CommandIO, argv: string[]): Promise<unknown> {
  const { main } = await import('../main.ts');
  io.log(`      $ resnet-edge ${argv.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`);
  let out = '';
  const code = await main([...argv, '--json'], { stdout: (t) => void (out += t), stderr: (t) => io.log(t.trimEnd()), isTTY: false });
  const doc = out.trim() ? (JSON.parse(out) as Record<string, unknown>) : {};
  if (code !== 0) {
    const err = doc.error as { code?: string; message?: string } | undefined;
    throw new CommandError(err?.code ?? 'demo_failed', `stage '${argv[0]}' failed: ${err?.message ?? `exit ${code}`}`);
  }
  return doc;
}

const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)} %` : '—');

function describeTrain(doc: unknown): string {
  const r = doc as { test?: { top1?: number }; validation?: { top1?: number }; trainImagesPerSecond?: number };
  return `test top-1 ${pct(r.test?.top1)} (validation ${pct(r.validation?.top1)}), ${r.trainImagesPerSecond?.toFixed(0) ?? '—'} images/s`;
}

function describeQuantize(doc: unknown): string {
  const r = doc as { comparison?: { floatTop1?: number; int8Top1?: number; agreement?: number }; sizes?: { floatBytes?: number; int8Bytes?: number } };
  const kib = (b: number | undefined) => (b === undefined ? '—' : `${(b / 1024).toFixed(0)} KiB`);
  return `top-1 float ${pct(r.comparison?.floatTop1)} → int8 ${pct(r.comparison?.int8Top1)} (agreement ${pct(r.comparison?.agreement)}), ${kib(r.sizes?.floatBytes)} → ${kib(r.sizes?.int8Bytes)}`;
}

async function heldOut(perClass: number): Promise<{ file: string; truth: string }[]> {
  const out: { file: string; truth: string }[] = [];
  for (const cls of (await readdir(BUNDLED_DATA.test)).sort()) {
    const files = (await readdir(join(BUNDLED_DATA.test, cls))).sort().slice(0, perClass);
    for (const f of files) out.push({ file: join(BUNDLED_DATA.test, cls, f), truth: cls });
  }
  return out;
}

export default demoCommand;
